namespace OAuthRelay.State;

/// <summary>
/// Counted slots per key (a mailbox's upstream connections) across the replicas: each open connection holds one, so
/// that all replicas together stay within the limit. A replica that dies loses its slots after the lease time.
/// </summary>
public interface IConnectionSlots
{
    /// <summary>
    /// One of <paramref name="limit"/> slots of <paramref name="key"/>; beyond its fair share a replica gets one only while
    /// no other waits. Or none, with when to ask again at the latest.
    /// </summary>
    Task<SlotAttempt> TryAcquireAsync(string key, int limit, CancellationToken cancellationToken);

    /// <summary>How many of <paramref name="limit"/> slots one replica keeps while another waits for one.</summary>
    int FairShare(int limit);

    /// <summary>A slot of the key came free (here or in another replica); null: any key may have.</summary>
    event Action<string?>? Freed;

    /// <summary>
    /// Another replica waits for a slot of the key, until the time given at the latest (it says so again while it does):
    /// until then a replica holding more than its fair share should close connections down to it.
    /// </summary>
    event Action<string, DateTimeOffset>? Wanted;
}

/// <summary>A slot, or none and when to ask again at the latest (sooner if <see cref="IConnectionSlots.Freed"/> says so).</summary>
public sealed record SlotAttempt(ConnectionSlot? Slot, DateTimeOffset RetryAt);
