using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OAuthRelay.Upstream;

/// <summary>One connection pool per upstream identity, and a sweep that closes connections left idle too long.</summary>
internal sealed class UpstreamSmtpPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IdentityConnectionPool> _pools = new();
    private readonly UpstreamConnector _connector;
    private readonly UpstreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    public UpstreamSmtpPool(UpstreamConnector connector, IOptions<UpstreamOptions> options, TimeProvider time)
    {
        _connector = connector;
        _options = options.Value;
        _time = time;
        var every = _options.IdleTimeout / 2;
        _sweep = time.CreateTimer(_ => _ = CloseIdleAsync(all: false), null, every, every);
    }

    public Task<UpstreamLease> LeaseAsync(UpstreamIdentity identity, CancellationToken cancellationToken) =>
        _pools.GetOrAdd(identity.PoolKey, _ => new IdentityConnectionPool(identity, _connector, _options, _time)).LeaseAsync(cancellationToken);

    public IReadOnlyList<UpstreamPoolUsage> Usage() => _pools.Values.Select(p => p.Usage).ToList();

    private Task CloseIdleAsync(bool all) => Task.WhenAll(_pools.Values.Select(p => p.CloseIdleAsync(all)));

    public async ValueTask DisposeAsync()
    {
        await _sweep.DisposeAsync();
        await CloseIdleAsync(all: true);
    }
}
