namespace OAuthRelay.State;

/// <summary>A held connection slot; disposing gives it back.</summary>
public sealed class ConnectionSlot(Func<bool> held, Func<ValueTask> release) : IAsyncDisposable
{
    /// <summary>A slot of an unbounded store: always held, nothing to give back.</summary>
    public static readonly ConnectionSlot Unlimited = new(() => true, () => ValueTask.CompletedTask);

    private int _released;

    /// <summary>
    /// Whether the connection may stay open: false while Redis is unreachable and this replica holds more than its
    /// share, so an idle connection is closed instead of kept.
    /// </summary>
    public bool Held => held();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) await release();
    }
}
