using OAuthRelay.State;

namespace OAuthRelay.Tokens;

/// <summary>
/// The leases that keep the replicas from doing the same token work twice: one refresh of an account at a time across
/// the fleet (the others wait, then read the shared cache), and one periodic renewal per interval.
/// </summary>
internal sealed class TokenLeases(ILeases leases, TimeSpan leaseTime)
{
    public Task<Lease> RefreshAsync(string account, CancellationToken cancellationToken) =>
        leases.AcquireAsync($"refresh:{account}", leaseTime, cancellationToken);

    /// <summary>True for the one replica that renews the account's refresh token this interval.</summary>
    public Task<bool> ClaimRenewalAsync(string account, TimeSpan interval, CancellationToken cancellationToken) =>
        leases.TryClaimAsync($"renewal:{account}", interval, cancellationToken);
}
