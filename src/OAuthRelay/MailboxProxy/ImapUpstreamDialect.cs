using System.Text.RegularExpressions;
using OAuthRelay.Connections;
using OAuthRelay.Upstream;

namespace OAuthRelay.MailboxProxy;

/// <summary>
/// The relay as an IMAP client up to login (RFC 3501/9051, RFC 4959 SASL-IR, XOAUTH2 as Microsoft documents it: a
/// refusal may come as a "+" continuation carrying the error, answered with an empty line before the tagged NO).
/// </summary>
internal sealed partial class ImapUpstreamDialect(LineTransport upstream) : IMailboxUpstreamDialect
{
    private const int MaxLineLength = 64 * 1024;

    private IReadOnlyList<string> _capabilities = [];
    private int _tag;

    public async Task GreetAsync(CancellationToken cancellationToken)
    {
        var greeting = await ReadAsync(cancellationToken);
        if (!greeting.StartsWith("* OK", StringComparison.OrdinalIgnoreCase)) throw new UpstreamProtocolException("The IMAP server did not greet with OK");
        _capabilities = CapabilitiesIn(greeting) ?? await RequestCapabilitiesAsync(cancellationToken);
    }

    public async Task<string?> AuthenticateXOAuth2Async(string initialResponse, CancellationToken cancellationToken)
    {
        var tag = NextTag();
        if (_capabilities.Contains("SASL-IR", StringComparer.OrdinalIgnoreCase))
        {
            Send($"{tag} AUTHENTICATE XOAUTH2 {initialResponse}");
        }
        else
        {
            Send($"{tag} AUTHENTICATE XOAUTH2");
            string line;
            do line = await ReadAsync(cancellationToken);
            while (!line.StartsWith('+') && !line.StartsWith(tag + " ", StringComparison.Ordinal));
            if (!line.StartsWith('+')) return line; // refused before the exchange began
            Send(initialResponse);
        }

        return await CompletedAsync(tag, cancellationToken);
    }

    public async Task<string?> LoginAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var tag = NextTag();
        Send($"{tag} LOGIN {Quote(userName)} {Quote(password)}");
        return await CompletedAsync(tag, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> CapabilitiesAfterLoginAsync(CancellationToken cancellationToken) =>
        _capabilities.Count > 0 ? _capabilities : await RequestCapabilitiesAsync(cancellationToken);

    /// <summary>
    /// Reads to the tagged reply of <paramref name="tag"/>: an error continuation is answered with an empty line,
    /// and capabilities sent along (untagged or as a response code) replace the ones from before login.
    /// Null when it was OK, else the tagged reply.
    /// </summary>
    private async Task<string?> CompletedAsync(string tag, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> capabilities = [];
        while (true)
        {
            var line = await ReadAsync(cancellationToken);
            if (line.StartsWith('+'))
            {
                Send(string.Empty);
                continue;
            }

            if (line.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase)) capabilities = Split(line["* CAPABILITY ".Length..]);
            if (!line.StartsWith(tag + " ", StringComparison.Ordinal)) continue;
            var ok = line.AsSpan(tag.Length + 1).StartsWith("OK", StringComparison.OrdinalIgnoreCase);
            // After a login the capabilities change (RFC 3501 6.2): only those sent with the OK are still valid.
            if (ok) _capabilities = CapabilitiesIn(line) ?? capabilities;
            return ok ? null : line;
        }
    }

    private async Task<IReadOnlyList<string>> RequestCapabilitiesAsync(CancellationToken cancellationToken)
    {
        var tag = NextTag();
        Send($"{tag} CAPABILITY");
        if (await CompletedAsync(tag, cancellationToken) is not null) throw new UpstreamProtocolException("The IMAP server refused CAPABILITY");
        return _capabilities;
    }

    private static IReadOnlyList<string>? CapabilitiesIn(string line) =>
        CapabilityCode().Match(line) is { Success: true } match ? Split(match.Groups[1].Value) : null;

    private static string[] Split(string capabilities) => capabilities.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A quoted string (RFC 3501 section 9); UTF-8 inside quotes is what Exchange and Dovecot accept.</summary>
    private static string Quote(string value)
    {
        if (value.Contains('\r') || value.Contains('\n')) throw new UpstreamProtocolException("A user name or password with a line break cannot be sent");
        return $"\"{value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
    }

    private string NextTag() => $"R{++_tag}";

    private void Send(string line) => upstream.WriteText(line + "\r\n");

    private async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        var line = await upstream.ReadLineAsync(MaxLineLength, cancellationToken);
        if (line.IsClosed) throw new UpstreamProtocolException("The IMAP server closed the connection");
        return line.Text ?? throw new UpstreamProtocolException($"The IMAP server sent an unreadable line ({line.Error})");
    }

    [GeneratedRegex(@"\[CAPABILITY ([^\]]*)\]", RegexOptions.IgnoreCase)]
    private static partial Regex CapabilityCode();
}
