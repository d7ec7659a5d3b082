namespace OAuthRelay.Observability;

/// <summary>
/// One account's messages in the queue: how many are queued, deferred and held, their bytes, how long the oldest one
/// not held has waited (null: none), and until when the account's mailbox is paused (null: it is not).
/// </summary>
internal sealed record AccountQueue(string Account, int Queued, int Deferred, int Held, long Bytes, TimeSpan? OldestAge, DateTimeOffset? PausedUntil);
