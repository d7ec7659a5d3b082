namespace OAuthRelay.State;

/// <summary>Whether the replicas' shared state is in use: in-process (no Redis), connected, or degraded to local state.</summary>
public enum SharedStateMode
{
    /// <summary>No State:Redis: one relay, its state in this process.</summary>
    InProcess,

    /// <summary>Redis answers: limits, token cache, leases and health are the fleet's.</summary>
    Connected,

    /// <summary>Redis is unreachable: this replica works on local state with its share of the limits, and reconnects on its own.</summary>
    Degraded,
}

/// <summary>What /status shows of the shared state, and a change notice for whoever waits on it.</summary>
public sealed class SharedStateStatus
{
    private readonly Lock _gate = new();
    private long _roundTrips;

    public SharedStateStatus(StateOptions options, TimeProvider time)
    {
        Replicas = options.Replicas;
        Mode = options.IsShared ? SharedStateMode.Connected : SharedStateMode.InProcess;
        Since = time.GetUtcNow();
        Time = time;
    }

    public SharedStateMode Mode { get; private set; }

    public DateTimeOffset Since { get; private set; }

    /// <summary>Why the state is degraded (the Redis error, no secrets); null otherwise.</summary>
    public string? Reason { get; private set; }

    public int Replicas { get; }

    /// <summary>Commands (and scripts) sent to Redis so far, each one round trip; what a message costs in Redis is read from this.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>Raised after every change of <see cref="Mode"/>.</summary>
    public event Action? Changed;

    private TimeProvider Time { get; }

    internal void CountRoundTrip() => Interlocked.Increment(ref _roundTrips);

    /// <summary>Moves to <paramref name="mode"/>; false when it already was there (the caller logs only real changes).</summary>
    internal bool MoveTo(SharedStateMode mode, string? reason)
    {
        lock (_gate)
        {
            if (Mode == mode) return false;
            Mode = mode;
            Reason = reason;
            Since = Time.GetUtcNow();
        }

        Changed?.Invoke();
        return true;
    }
}
