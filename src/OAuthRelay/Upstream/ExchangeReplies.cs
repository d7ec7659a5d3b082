using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Upstream;

/// <summary>Exchange Online replies that concern the mailbox, not the message (office365-facts.md section 3).</summary>
internal static class ExchangeReplies
{
    /// <summary>
    /// 432 4.3.2 (too many connections or messages for the sender) and the daily submission quota (554 5.2.0
    /// ...SubmissionQuotaExceeded): every message of the mailbox must wait, and the quota is not a verdict on the message.
    /// </summary>
    public static bool SlowsTheMailbox(SmtpReply reply) =>
        reply is { Code: 432, EnhancedStatus: "4.3.2" } || reply.Lines.Any(l => l.Contains("SubmissionQuotaExceeded", StringComparison.OrdinalIgnoreCase));
}
