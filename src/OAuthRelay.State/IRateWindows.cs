namespace OAuthRelay.State;

/// <summary>
/// Rolling rate windows per key (a mailbox's messages per minute and recipients per day), counted across the
/// replicas. A send reserves its place first; one that delivered nothing gives it back.
/// </summary>
public interface IRateWindows
{
    /// <summary>A reservation for one event of <paramref name="weight"/> (a message to that many recipients), or when one is possible.</summary>
    Task<RateDecision> TryReserveAsync(string key, int weight, RateLimits limits, CancellationToken cancellationToken);

    /// <summary>Gives a reservation back: the send delivered nothing, so nothing counted.</summary>
    Task ReleaseAsync(RateReservation reservation, CancellationToken cancellationToken);

    /// <summary>
    /// The send was taken: it counts from now. Exchange counts a message when it arrives, a moment to seconds after its
    /// place was reserved, so a window counted from the reservations alone could hold one arrival too many.
    /// </summary>
    Task DeliveredAsync(RateReservation reservation, CancellationToken cancellationToken);
}

/// <summary>At most <paramref name="PerMinute"/> events in any rolling minute and <paramref name="WeightPerDay"/> weight in any rolling 24 hours.</summary>
public sealed record RateLimits(int PerMinute, int WeightPerDay);

/// <summary>One event counted against a key.</summary>
public sealed record RateReservation(string Key, string Id, DateTimeOffset At, int Weight);

/// <summary>
/// A reservation, or none and <see cref="NotBefore"/> (when the key can take it; <see cref="DateTimeOffset.MaxValue"/>:
/// more weight than a whole day allows), with <see cref="DailyLimit"/> when the day's weight is what is used up.
/// </summary>
public readonly record struct RateDecision(RateReservation? Reservation, DateTimeOffset NotBefore, bool DailyLimit);
