namespace OAuthRelay.Connections;

/// <summary>
/// A moment a phase of a conversation must be over by (the login, one command): unlike a read timeout, traffic does
/// not move it, so a client trickling bytes cannot stretch the phase.
/// </summary>
public readonly record struct Deadline(DateTimeOffset At)
{
    public static readonly Deadline None = new(DateTimeOffset.MaxValue);

    public static Deadline After(TimeProvider time, TimeSpan span) => new(time.GetUtcNow() + span);

    public bool HasPassed(TimeProvider time) => At != DateTimeOffset.MaxValue && time.GetUtcNow() >= At;

    /// <summary>The shorter of <paramref name="timeout"/> and the time left before this deadline (never negative).</summary>
    public TimeSpan Limit(TimeSpan timeout, TimeProvider time)
    {
        if (At == DateTimeOffset.MaxValue) return timeout;
        var left = At - time.GetUtcNow();
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < timeout ? left : timeout;
    }
}
