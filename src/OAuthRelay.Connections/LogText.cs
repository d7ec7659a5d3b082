using System.Globalization;
using System.Text;

namespace OAuthRelay.Connections;

/// <summary>
/// Makes text a client chose (a user name, an address, a command) safe to put in a log line: control characters, line
/// and paragraph separators are written as \xNN or \uNNNN, so that no client can start a forged line of its own or
/// send escape sequences to an operator's terminal.
/// </summary>
public static class LogText
{
    public static string Escape(string? text)
    {
        if (text is null) return string.Empty;
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!NeedsEscape(c)) escaped.Append(c);
            else if (c <= 0xff) escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            else escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
