namespace OAuthRelay.State;

/// <summary>One relay: its connection pool's own cap is the only one, as before shared state existed.</summary>
internal sealed class UnboundedConnectionSlots : IConnectionSlots
{
    public Task<SlotAttempt> TryAcquireAsync(string key, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(new SlotAttempt(ConnectionSlot.Unlimited, default));

    public int FairShare(int limit) => limit;

    public event Action<string?>? Freed
    {
        add { }
        remove { }
    }

    public event Action<string, DateTimeOffset>? Wanted
    {
        add { }
        remove { }
    }
}
