namespace OAuthRelay.State;

/// <summary>A held lease; disposing releases it.</summary>
public sealed class Lease(bool waitedForAnother, Func<Task>? release) : IAsyncDisposable
{
    /// <summary>A lease nobody else could have held (one process, or Redis unreachable).</summary>
    public static readonly Lease Uncontended = new(false, null);

    /// <summary>Another replica held it first: whatever it was for may have been done by that replica meanwhile.</summary>
    public bool WaitedForAnother { get; } = waitedForAnother;

    private int _released;

    public async ValueTask DisposeAsync()
    {
        if (release is not null && Interlocked.Exchange(ref _released, 1) == 0) await release();
    }
}
