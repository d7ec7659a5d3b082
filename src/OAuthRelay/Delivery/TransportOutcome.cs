using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Delivery;

/// <summary>A recipient the upstream would not take, with its reply; <see cref="Permanent"/> when trying again will not help.</summary>
public sealed record RecipientRefusal(string Recipient, SmtpReply Reply)
{
    public bool Permanent => Reply.Code >= 500;
}

/// <summary>
/// What one send of a spooled message came to: the recipients it went to, those refused, and the reply that sums it up
/// (the upstream's 250, or why nothing was sent). A failure of the whole message is permanent (5xx), or temporary;
/// <see cref="MailboxBackOff"/> marks the replies that mean the whole mailbox must slow down (432 4.3.2, quotas, Graph's
/// 429), and <see cref="RetryAfter"/> is the upstream's own word on when to try again (Graph's Retry-After).
/// </summary>
public sealed record TransportOutcome(
    IReadOnlyList<string> Accepted,
    IReadOnlyList<RecipientRefusal> Refused,
    SmtpReply Reply,
    bool Permanent,
    bool MailboxBackOff,
    TimeSpan? RetryAfter = null)
{
    public bool Sent => Accepted.Count > 0;

    public static TransportOutcome Delivered(IReadOnlyList<string> accepted, IReadOnlyList<RecipientRefusal> refused, SmtpReply reply) =>
        new(accepted, refused, reply, Permanent: false, MailboxBackOff: false);

    public static TransportOutcome Failed(SmtpReply reply, bool permanent, bool mailboxBackOff = false, IReadOnlyList<RecipientRefusal>? refused = null, TimeSpan? retryAfter = null) =>
        new([], refused ?? [], reply, permanent, mailboxBackOff, retryAfter);
}
