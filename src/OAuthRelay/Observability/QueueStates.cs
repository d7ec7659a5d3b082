using OAuthRelay.Queue;

namespace OAuthRelay.Observability;

/// <summary>
/// Where a message stands, as the queue endpoints, /status and the metrics name it: a small fixed set, so that
/// dashboards and alerts can rely on it.
/// </summary>
internal static class QueueStates
{
    /// <summary>Due now: waiting for a connection, its mailbox's rate or pause, or being sent.</summary>
    public const string Queued = "queued";

    /// <summary>Waiting for its next attempt after a temporary failure.</summary>
    public const string Deferred = "deferred";

    /// <summary>Held by an operator: not delivered until released.</summary>
    public const string Held = "held";

    /// <summary>Failed for good or deleted by an operator: in the dead-letter folder.</summary>
    public const string DeadLetter = "deadletter";

    public static string Of(QueueEntry entry, DateTimeOffset now) =>
        entry.DeadLetterReason is not null ? DeadLetter
        : entry.Held ? Held
        : entry.NextAttempt > now ? Deferred
        : Queued;
}
