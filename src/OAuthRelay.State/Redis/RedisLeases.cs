using System.Collections.Concurrent;
using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// Leases as Redis keys: SET NX PX takes one (it expires by itself if its holder dies), a script deletes it only for
/// its holder and publishes that it is free, so a waiter wakes at once instead of at the expiry. While Redis is
/// unreachable every lease is granted: the replica's own locks still hold within it. A release that could not reach
/// Redis is sent again when it answers, so that nobody waits for the lease to expire. A waiter waits on Redis's clock
/// (the lease's PTTL runs there), not on the relay's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RedisLeases : ILeases
{
    // 0: taken; otherwise how many milliseconds the holder's lease has left (at least 1).
    private const string AcquireScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
        local left = redis.call('PTTL', KEYS[1])
        if left < 1 then return 1 end
        return left
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], ARGV[3])
        end
        return 0
        """;

    private readonly RedisConnection _redis;
    private readonly Pulse _released = new();
    private readonly ConcurrentDictionary<RedisKey, (string Holder, string Name)> _unreleased = new();

    public RedisLeases(RedisConnection redis)
    {
        _redis = redis;
        redis.Received += notice =>
        {
            if (notice.Kind == SharedEvent.LeaseReleased) _released.Wake();
        };
        redis.Restored += () => _ = ReleaseLeftOversThenWakeAsync();
    }

    public async Task<Lease> AcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var key = _redis.Key($"lease:{name}");
        var holder = $"{_redis.ReplicaId}:{Guid.NewGuid():N}";
        var waited = false;
        while (true)
        {
            var released = _released.Next;
            var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(AcquireScript, [key], [holder, (long)ttl.TotalMilliseconds]));
            if (!attempt.Ok) return waited ? new Lease(true, null) : Lease.Uncontended;
            var left = (long)attempt.Value;
            if (left == 0) return new Lease(waited, () => ReleaseAsync(key, holder, name));
            waited = true;
            await Pulse.WaitAsync(released, TimeProvider.System.GetUtcNow() + TimeSpan.FromMilliseconds(left), TimeProvider.System, cancellationToken);
        }
    }

    public async Task<bool> TryClaimAsync(string name, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var attempt = await _redis.TryAsync(db => db.StringSetAsync(_redis.Key($"claim:{name}"), _redis.ReplicaId, ttl, When.NotExists));
        return !attempt.Ok || attempt.Value;
    }

    private async Task ReleaseAsync(RedisKey key, string holder, string name)
    {
        var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReleaseScript, [key],
            [holder, _redis.Channel.ToString(), new SharedEvent(SharedEvent.LeaseReleased, name, _redis.ReplicaId).Format()]));
        if (attempt.Ok) _unreleased.TryRemove(key, out _);
        else _unreleased[key] = (holder, name);
    }

    private async Task ReleaseLeftOversThenWakeAsync()
    {
        foreach (var (key, (holder, name)) in _unreleased) await ReleaseAsync(key, holder, name);
        _released.Wake();
    }
}
