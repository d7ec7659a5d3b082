using System.Text.RegularExpressions;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// What Graph's answers mean for the message, one table, first match wins: 202 is accepted for processing (250);
/// 429 (throttled: the whole mailbox waits for Retry-After), 503, 504 and other 5xx are temporary; a refused From
/// is 550 5.7.60 as Exchange says over SMTP; 413 and 400 (too large, invalid MIME) are permanent with Graph's text.
/// Whatever an upload URL answers is temporary.
/// 401, 403 and 404 never get here: they are the relay's access, 454 4.7.0 with an operator action in health.
/// </summary>
internal static partial class GraphReplies
{
    public static readonly SmtpReply Accepted = new(250, "2.0.0", "Accepted for processing by Microsoft Graph (202)");

    private static readonly (Func<GraphRequestException, bool> Matches, Func<GraphRequestException, TransportOutcome> Outcome)[] Table =
    [
        (e => e.Status == 429, e => TransportOutcome.Failed(
            new SmtpReply(452, "4.3.2", $"Microsoft Graph is throttling this mailbox, try again in {Seconds(e.RetryAfter)} s ({Text(e)})"),
            permanent: false, mailboxBackOff: true, retryAfter: e.RetryAfter)),
        // An upload session that failed (expired, or ranges it could not take even after resuming) fails this try only:
        // the next one makes a new draft.
        (e => e.Status >= 500 || e.Upload, e => TransportOutcome.Failed(
            new SmtpReply(451, "4.4.1", $"Microsoft Graph is unavailable, try again later ({e.Status} {Text(e)})"), permanent: false, retryAfter: e.RetryAfter)),
        (e => e.Code == "ErrorSendAsDenied", e => TransportOutcome.Failed(new SmtpReply(550, "5.7.60", $"Microsoft Graph: {Text(e)}"), permanent: true)),
        (e => e.Status == 413, e => TransportOutcome.Failed(new SmtpReply(552, "5.3.4", $"Microsoft Graph: message too large ({Text(e)})"), permanent: true)),
        (_ => true, e => TransportOutcome.Failed(new SmtpReply(554, "5.6.0", $"Microsoft Graph refused the message ({e.Status} {Text(e)})"), permanent: true)),
    ];

    public static TransportOutcome Outcome(GraphRequestException exception) => Table.First(row => row.Matches(exception)).Outcome(exception);

    private static int Seconds(TimeSpan? retryAfter) => (int)Math.Ceiling((retryAfter ?? TimeSpan.FromMinutes(1)).TotalSeconds);

    /// <summary>Graph's code and message on one line, as much as a reply line should carry.</summary>
    private static string Text(GraphRequestException e)
    {
        var text = Controls().Replace($"{e.Code}: {e.GraphMessage}", " ").Trim();
        return text.Length <= 300 ? text : text[..300];
    }

    [GeneratedRegex(@"[\x00-\x1F\x7F]+")]
    private static partial Regex Controls();
}
