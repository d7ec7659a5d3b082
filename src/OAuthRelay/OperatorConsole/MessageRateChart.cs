using System.Globalization;
using System.Text;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// An account's messages per minute over the last hour as an inline SVG bar chart, drawn on the server (no script, no
/// library), with Exchange Online's limit of 30 messages a minute per mailbox as a dashed line. Colours come from the
/// console's style sheet, so it follows the light or dark theme.
/// </summary>
internal static class MessageRateChart
{
    public const int ExchangeLimitPerMinute = 30;

    private const int Width = 600;
    private const int Height = 150;
    private const int Left = 28;
    private const int Bottom = 18;

    /// <param name="perMinute">Counts, oldest minute first, the current minute last.</param>
    /// <param name="titleId">The id of the element that names the chart, for screen readers.</param>
    public static string Svg(IReadOnlyList<int> perMinute, string titleId)
    {
        var top = Math.Max(ExchangeLimitPerMinute + 10, (int)Math.Ceiling(perMinute.DefaultIfEmpty().Max() * 1.15));
        var plotHeight = Height - Bottom - 4.0;
        double Y(double value) => Height - Bottom - value / top * plotHeight;
        var barWidth = (Width - Left) / (double)perMinute.Count;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg class=\"rate-chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{System.Net.WebUtility.HtmlEncode(titleId)}\" preserveAspectRatio=\"none\">"));
        svg.Append(Invariant($"<line class=\"axis\" x1=\"{Left}\" y1=\"{Y(0)}\" x2=\"{Width}\" y2=\"{Y(0)}\"/>"));
        for (var minute = 0; minute < perMinute.Count; minute++)
        {
            if (perMinute[minute] == 0) continue;
            var x = Left + minute * barWidth;
            svg.Append(Invariant($"<rect class=\"{(perMinute[minute] > ExchangeLimitPerMinute ? "bar over" : "bar")}\" x=\"{x:0.#}\" y=\"{Y(perMinute[minute]):0.#}\" width=\"{Math.Max(barWidth - 1, 1):0.#}\" height=\"{Y(0) - Y(perMinute[minute]):0.#}\"/>"));
        }

        svg.Append(Invariant($"<line class=\"limit\" x1=\"{Left}\" y1=\"{Y(ExchangeLimitPerMinute):0.#}\" x2=\"{Width}\" y2=\"{Y(ExchangeLimitPerMinute):0.#}\"/>"));
        svg.Append(Invariant($"<text class=\"label\" x=\"{Left - 4}\" y=\"{Y(ExchangeLimitPerMinute) + 4:0.#}\" text-anchor=\"end\">{ExchangeLimitPerMinute}</text>"));
        svg.Append(Invariant($"<text class=\"label\" x=\"{Left - 4}\" y=\"{Y(0) + 4:0.#}\" text-anchor=\"end\">0</text>"));
        svg.Append(Invariant($"<text class=\"label\" x=\"{Left}\" y=\"{Height - 3}\">−{perMinute.Count} min</text>"));
        svg.Append(Invariant($"<text class=\"label\" x=\"{Width}\" y=\"{Height - 3}\" text-anchor=\"end\">now</text>"));
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The chart in words, for screen readers and for a glance.</summary>
    public static string Summary(IReadOnlyList<int> perMinute)
    {
        var peak = perMinute.DefaultIfEmpty().Max();
        var over = perMinute.Count(c => c > ExchangeLimitPerMinute);
        return $"{perMinute.Sum()} accepted in the last hour; peak {peak} a minute"
               + (over > 0 ? $"; over Exchange's {ExchangeLimitPerMinute}/min in {over} minute(s)." : $"; within Exchange's {ExchangeLimitPerMinute}/min.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
