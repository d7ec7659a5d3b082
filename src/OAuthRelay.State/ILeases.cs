namespace OAuthRelay.State;

/// <summary>Exclusive, short-lived leases across the replicas (a token refresh, a periodic duty).</summary>
public interface ILeases
{
    /// <summary>
    /// Holds <paramref name="name"/> exclusively until disposed or for at most <paramref name="ttl"/> (a replica that
    /// dies lets go by itself); while another replica holds it, waits until it is released or expires.
    /// </summary>
    Task<Lease> AcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Claims <paramref name="name"/> for <paramref name="ttl"/>, not released: false when someone claimed it less than that ago.</summary>
    Task<bool> TryClaimAsync(string name, TimeSpan ttl, CancellationToken cancellationToken);
}
