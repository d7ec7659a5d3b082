using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Tokens;

namespace OAuthRelay.Upstream;

/// <summary>
/// What the client is told when the upstream answers or fails: one table, first match wins.
/// The upstream's own verdicts pass through unchanged (code, enhanced code, text); the relay's own trouble is
/// always temporary — 454 4.7.0 for anything about its credentials (never 535: the client's password is fine),
/// 451 4.4.1 for the network — so the client keeps the message and tries again. Only when OAuth is off for the client
/// and the upstream refuses the client's own password is the answer 535 5.7.8, as it would be going direct.
/// </summary>
public static partial class ReplyMapper
{
    private static readonly (Func<Exception, bool> Matches, Func<Exception, SmtpReply> Reply)[] Table =
    [
        (e => e is SmtpCommandException, e => FromUpstream((int)((SmtpCommandException)e).StatusCode, e.Message)),
        (e => e is UpstreamAuthenticationException { ClientsOwnCredentials: true }, _ => new SmtpReply(535, "5.7.8", "The upstream server refused your user name or password")),
        (e => e is UpstreamLoginUnsupportedException, _ => new SmtpReply(454, "4.7.0", "The upstream server takes no password logins for this client; the operator has been alerted, try again later")),
        (e => e is UpstreamAuthenticationException, _ => new SmtpReply(454, "4.7.0", "Temporary authentication failure towards the upstream server, try again later")),
        (e => e is TokenUnavailableException, e => new SmtpReply(454, "4.7.0", $"The relay cannot get an Office 365 token ({((TokenUnavailableException)e).Health.State}); the operator has been alerted, try again later")),
        (e => e is UpstreamBusyException, _ => new SmtpReply(451, "4.4.1", "All upstream connections for this mailbox are busy, try again later")),
        (NetworkFailure.Is, _ => new SmtpReply(451, "4.4.1", "The upstream server cannot be reached, try again later")),
    ];

    /// <summary>The reply for a failure on the way upstream; unknown failures are a temporary local error.</summary>
    public static SmtpReply FromException(Exception exception) =>
        Table.FirstOrDefault(row => row.Matches(exception)).Reply?.Invoke(exception) ?? SmtpReplies.LocalError;

    /// <summary>An upstream reply passed through: same code, same enhanced code (or a generic one of the same class), same text.</summary>
    public static SmtpReply FromUpstream(int code, string text)
    {
        var match = EnhancedStatus().Match(text);
        return match.Success
            ? new SmtpReply(code, match.Groups[1].Value, text[match.Length..].Trim())
            : new SmtpReply(code, $"{code / 100}.0.0", text.Trim());
    }

    /// <summary>The upstream accepted the message: 250 with the relay's message id, the upstream's text kept for tracing.</summary>
    public static SmtpReply Accepted(string messageId, string upstreamText) =>
        new(250, "2.0.0", $"OK queued as {messageId} (upstream: {upstreamText.Trim()})");

    [GeneratedRegex(@"^\s*([245]\.\d{1,3}\.\d{1,3})\b")]
    private static partial Regex EnhancedStatus();
}
