namespace OAuthRelay.State;

/// <summary>One relay: its own locks already make it exclusive, so every lease is granted at once.</summary>
internal sealed class InProcessLeases : ILeases
{
    public Task<Lease> AcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken) => Task.FromResult(Lease.Uncontended);

    public Task<bool> TryClaimAsync(string name, TimeSpan ttl, CancellationToken cancellationToken) => Task.FromResult(true);
}
