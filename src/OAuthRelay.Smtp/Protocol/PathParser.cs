using System.Text;
using System.Text.RegularExpressions;
using OAuthRelay.Smtp.Backend;

namespace OAuthRelay.Smtp.Protocol;

/// <summary>
/// Parses the arguments of MAIL FROM and RCPT TO (RFC 5321 4.1.2) with the leniency legacy clients need: a space
/// after the colon is accepted, source routes are ignored. Addresses must still be a mailbox: local@domain, within
/// RFC 5321's length limits.
/// </summary>
internal static partial class PathParser
{
    private const int MaxLocalPartOctets = 64;
    private const int MaxDomainOctets = 255;
    private const int MaxPathOctets = 256;

    public readonly record struct ParsedPath(string Address, IReadOnlyList<KeyValuePair<string, string?>> Parameters, SmtpReply? Error);

    /// <param name="keyword">"FROM" or "TO".</param>
    /// <param name="allowNull">MAIL FROM may carry the null path &lt;&gt;.</param>
    public static ParsedPath Parse(string arguments, string keyword, bool allowNull)
    {
        var prefix = keyword + ":";
        if (!arguments.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return Fail(SmtpReplies.SyntaxError($"expected {keyword}:<address>"));
        var rest = arguments[prefix.Length..].TrimStart();
        if (!rest.StartsWith('<')) return Fail(SmtpReplies.SyntaxError("address must be enclosed in <>"));
        var close = ClosingBracket(rest);
        if (close < 0) return Fail(SmtpReplies.SyntaxError("missing >"));

        var address = StripSourceRoute(rest[1..close]);
        if (address.Length == 0 && !allowNull) return Fail(SmtpReplies.BadAddress("empty address"));
        if (address.Length > 0 && !IsMailbox(address) && !address.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
            return Fail(SmtpReplies.BadAddress("expected local-part@domain"));
        if (LengthError(rest[..(close + 1)], address) is { } tooLong) return Fail(tooLong);

        var parameters = new List<KeyValuePair<string, string?>>();
        foreach (var word in rest[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = word.IndexOf('=');
            var name = (equals < 0 ? word : word[..equals]).ToUpperInvariant();
            if (name.Length == 0) return Fail(SmtpReplies.SyntaxError("empty parameter name"));
            parameters.Add(new(name, equals < 0 ? null : word[(equals + 1)..]));
        }

        return new ParsedPath(address, parameters, null);
    }

    /// <summary>Interprets MAIL FROM parameters: SIZE, BODY and SMTPUTF8; anything else is 555.</summary>
    public static (MailParameters Parameters, SmtpReply? Error) ParseMailParameters(IReadOnlyList<KeyValuePair<string, string?>> words)
    {
        long? size = null;
        var body = MailBodyType.SevenBit;
        var smtpUtf8 = false;
        foreach (var (name, value) in words)
        {
            switch (name)
            {
                case "SIZE" when value is not null && long.TryParse(value, System.Globalization.NumberStyles.None, null, out var declared):
                    size = declared;
                    break;
                case "SIZE":
                    return (MailParameters.None, SmtpReplies.SyntaxError("SIZE needs a number"));
                case "BODY" when string.Equals(value, "7BIT", StringComparison.OrdinalIgnoreCase):
                    body = MailBodyType.SevenBit;
                    break;
                case "BODY" when string.Equals(value, "8BITMIME", StringComparison.OrdinalIgnoreCase):
                    body = MailBodyType.EightBitMime;
                    break;
                case "BODY":
                    return (MailParameters.None, SmtpReplies.SyntaxError("BODY must be 7BIT or 8BITMIME"));
                case "SMTPUTF8" when value is null:
                    smtpUtf8 = true;
                    break;
                default:
                    return (MailParameters.None, SmtpReplies.UnsupportedParameter);
            }
        }

        return (new MailParameters(size, body, smtpUtf8), null);
    }

    public static bool IsAscii(string address) => address.All(char.IsAscii);

    /// <summary>RFC 5321 4.5.3.1: local part 64 octets, domain 255, the whole path with its brackets 256 (UTF-8 octets).</summary>
    private static SmtpReply? LengthError(string path, string address)
    {
        var at = address.LastIndexOf('@');
        if (Encoding.UTF8.GetByteCount(at < 0 ? address : address[..at]) > MaxLocalPartOctets)
            return SmtpReplies.AddressTooLong($"local part longer than {MaxLocalPartOctets} octets");
        if (at >= 0 && Encoding.UTF8.GetByteCount(address.AsSpan(at + 1)) > MaxDomainOctets)
            return SmtpReplies.AddressTooLong($"domain longer than {MaxDomainOctets} octets");
        return Encoding.UTF8.GetByteCount(path) > MaxPathOctets ? SmtpReplies.AddressTooLong($"path longer than {MaxPathOctets} octets") : null;
    }

    private static int ClosingBracket(string text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case '>' when !quoted:
                    return i;
            }
        }

        return -1;
    }

    // "@a,@b:user@host" — RFC 5321 says to accept and ignore the route.
    private static string StripSourceRoute(string path) =>
        path.StartsWith('@') && path.IndexOf(':') is var colon and > 0 ? path[(colon + 1)..] : path;

    private static bool IsMailbox(string address) => MailboxPattern().IsMatch(address);

    // local-part: dot-atom or quoted string; domain: dot-separated labels or an address literal. Non-ASCII allowed (RFC 6531).
    [GeneratedRegex("""^(?:[^\s"@<>()\[\]\\,;:]+|"(?:[^"\\]|\\.)*")@(?:[^\s"@<>()\[\]\\,;:.]+(?:\.[^\s"@<>()\[\]\\,;:.]+)*|\[[^\[\]\s\\]+\])$""")]
    private static partial Regex MailboxPattern();

    private static ParsedPath Fail(SmtpReply error) => new(string.Empty, [], error);
}
