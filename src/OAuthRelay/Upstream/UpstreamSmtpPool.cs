using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OAuthRelay.State;

namespace OAuthRelay.Upstream;

/// <summary>
/// One connection pool per upstream identity, and a sweep that closes connections left idle too long. Tells the pools
/// of a mailbox when one of its slots came free or another replica waits for one.
/// </summary>
internal sealed class UpstreamSmtpPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IdentityConnectionPool> _pools = new();
    private readonly UpstreamConnector _connector;
    private readonly IConnectionSlots _connectionSlots;
    private readonly UpstreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    public UpstreamSmtpPool(UpstreamConnector connector, IConnectionSlots connectionSlots, IOptions<UpstreamOptions> options, TimeProvider time)
    {
        _connector = connector;
        _connectionSlots = connectionSlots;
        _options = options.Value;
        _time = time;
        var every = _options.IdleTimeout / 2;
        _sweep = time.CreateTimer(_ => _ = CloseIdleAsync(all: false), null, every, every);
        connectionSlots.Freed += SlotFreed;
        connectionSlots.Wanted += SlotWanted;
    }

    public Task<UpstreamLease> LeaseAsync(UpstreamIdentity identity, CancellationToken cancellationToken) =>
        _pools.GetOrAdd(identity.PoolKey, _ => new IdentityConnectionPool(identity, _connector, _connectionSlots, _options, _time)).LeaseAsync(cancellationToken);

    public IReadOnlyList<UpstreamPoolUsage> Usage() => _pools.Values.Select(p => p.Usage).ToList();

    private Task CloseIdleAsync(bool all) => Task.WhenAll(_pools.Values.Select(p => p.CloseIdleAsync(all)));

    private IEnumerable<IdentityConnectionPool> PoolsOf(string? mailbox) => _pools.Values.Where(p => mailbox is null || p.Identity.Mailbox == mailbox);

    private void SlotFreed(string? mailbox)
    {
        foreach (var pool in PoolsOf(mailbox)) pool.SlotFreed();
    }

    private void SlotWanted(string mailbox, DateTimeOffset until)
    {
        foreach (var pool in PoolsOf(mailbox)) _ = pool.YieldAsync(until);
    }

    public async ValueTask DisposeAsync()
    {
        _connectionSlots.Freed -= SlotFreed;
        _connectionSlots.Wanted -= SlotWanted;
        await _sweep.DisposeAsync();
        await CloseIdleAsync(all: true);
    }
}
