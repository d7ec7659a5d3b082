using System.Globalization;
using System.Text.RegularExpressions;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>Prometheus text exposition read strictly: every comment a HELP or TYPE line, every other line a sample.</summary>
internal static partial class PrometheusText
{
    /// <summary>The samples by name with labels, exactly as written (<c>name{label="value",…}</c>).</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(@"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$", line);
                continue;
            }

            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a Prometheus sample: {line}");
            samples[sample.Groups[1].Value] = double.Parse(sample.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return samples;
    }

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$")]
    private static partial Regex Sample();
}
