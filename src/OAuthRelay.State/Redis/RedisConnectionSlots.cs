using System.Collections.Concurrent;
using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// Connection slots as one sorted set per key in Redis (member: the holder's slot, score: when its lease ends, on the
/// replicas' clock), and a sorted set of the replicas waiting for one. A script drops expired leases and adds one if
/// fewer than the limit are held and either the replica holds less than its fair share or no other replica waits;
/// otherwise it records the replica as waiting and publishes that, so that holders beyond their share close an idle
/// connection. A waiting replica asks again every third of the lease time at the latest, so its record lasts two
/// thirds of one (a third to spare for a late ask or a clock ahead): one that stopped waiting (served by a connection
/// that came back to it, or given up) soon no longer holds the others to their share. A heartbeat renews this replica's leases every third of the lease time, so a replica that dies loses its
/// slots after at most one lease time. While Redis is unreachable each replica keeps to its share of the limit,
/// counting the slots it already holds; on return its slots are written back, and those it gave back meanwhile removed.
/// </summary>
internal sealed class RedisConnectionSlots : IConnectionSlots, IAsyncDisposable
{
    // KEYS: slots, waiting replicas. ARGV: now, lease end, limit, member, channel, wanted notice, key lifetime (ms),
    // replica, fair share, wait end. 0: granted; else when to ask again at the latest (the first lease ends, or this wait does).
    private const string AcquireScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
        local held = redis.call('ZRANGE', KEYS[1], 0, -1)
        local prefix = ARGV[8] .. ':'
        local mine = 0
        for _, member in ipairs(held) do
          if string.sub(member, 1, #prefix) == prefix then mine = mine + 1 end
        end
        local others = redis.call('ZCARD', KEYS[2])
        if redis.call('ZSCORE', KEYS[2], ARGV[8]) then others = others - 1 end
        if #held < tonumber(ARGV[3]) and (mine < tonumber(ARGV[9]) or others == 0) then
          redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
          redis.call('ZREM', KEYS[2], ARGV[8])
          redis.call('PEXPIRE', KEYS[1], ARGV[7])
          return 0
        end
        redis.call('ZADD', KEYS[2], ARGV[10], ARGV[8])
        redis.call('PEXPIRE', KEYS[2], ARGV[7])
        redis.call('PUBLISH', ARGV[5], ARGV[6])
        if #held < tonumber(ARGV[3]) then return tonumber(ARGV[10]) end
        return tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
        """;

    private const string ReleaseScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 0
        """;

    // ARGV: key lifetime, then lease end and member pairs.
    private const string RenewScript = """
        for i = 2, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 0
        """;

    private readonly RedisConnection _redis;
    private readonly StateOptions _options;
    private readonly TimeProvider _time;
    private readonly HeldSlots _held = new();
    private readonly ConcurrentDictionary<string, string> _unreleased = new(); // member -> key, given back while Redis was away
    private readonly ITimer _heartbeat;
    private long _issued;

    public RedisConnectionSlots(RedisConnection redis, StateOptions options, TimeProvider time)
    {
        _redis = redis;
        _options = options;
        _time = time;
        redis.Received += notice =>
        {
            if (notice.Kind == SharedEvent.SlotFreed) Freed?.Invoke(notice.Name);
            else if (notice.Kind == SharedEvent.SlotWanted && notice.Data.Split(' ') is [var replica, var until] && replica != redis.ReplicaId)
                Wanted?.Invoke(notice.Name, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(until)));
        };
        redis.Restored += () => _ = RenewThenWakeAsync();
        _heartbeat = time.CreateTimer(_ => _ = HeartbeatAsync(), null, options.LeaseTime / 3, options.LeaseTime / 3);
    }

    public event Action<string?>? Freed;

    public event Action<string, DateTimeOffset>? Wanted;

    public int FairShare(int limit) => _options.LocalShare(limit);

    public async Task<SlotAttempt> TryAcquireAsync(string key, int limit, CancellationToken cancellationToken)
    {
        var member = $"{_redis.ReplicaId}:{Interlocked.Increment(ref _issued)}";
        var now = _time.GetUtcNow();
        var leaseEnd = (now + _options.LeaseTime).ToUnixTimeMilliseconds();
        var waitEnd = (now + _options.LeaseTime * 2 / 3).ToUnixTimeMilliseconds();
        var wanted = new SharedEvent(SharedEvent.SlotWanted, key, $"{_redis.ReplicaId} {waitEnd}").Format();
        var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(AcquireScript, [Key(key), _redis.Key($"waiting:{{{key}}}")],
            [now.ToUnixTimeMilliseconds(), leaseEnd, limit, member, _redis.Channel.ToString(), wanted, KeyLifetime,
             _redis.ReplicaId, FairShare(limit), waitEnd]));
        if (attempt.Ok)
        {
            var retryAt = (long)attempt.Value;
            // Asked again at the next heartbeat at the latest, in case the notice that one came free was lost.
            if (retryAt != 0) return new SlotAttempt(null, Earliest(DateTimeOffset.FromUnixTimeMilliseconds(retryAt), now + _options.LeaseTime / 3));
            _held.TryAdd(key, member, limit);
            return new SlotAttempt(Slot(key, member, limit), default);
        }

        // Redis is away: this replica's share, counting what it holds already. Asked again when one is freed or Redis returns.
        return _held.TryAdd(key, member, limit, below: _options.LocalShare(limit))
            ? new SlotAttempt(Slot(key, member, limit), default)
            : new SlotAttempt(null, now + _options.LeaseTime / 3);
    }

    private ConnectionSlot Slot(string key, string member, int limit) => new(
        () => _redis.IsAvailable || _held.Count(key) <= _options.LocalShare(limit),
        async () =>
        {
            _held.Remove(key, member);
            Freed?.Invoke(key);
            if (!await ReleaseAsync(key, member)) _unreleased[member] = key;
        });

    private async Task<bool> ReleaseAsync(string key, string member)
    {
        var freed = new SharedEvent(SharedEvent.SlotFreed, key, _redis.ReplicaId).Format();
        return (await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReleaseScript, [Key(key)], [member, _redis.Channel.ToString(), freed]))).Ok;
    }

    /// <summary>Slots given back while Redis was away are removed there, then the held ones renewed.</summary>
    private async Task HeartbeatAsync()
    {
        foreach (var (member, key) in _unreleased)
            if (await ReleaseAsync(key, member)) _unreleased.TryRemove(member, out _);
        await RenewAsync();
    }

    /// <summary>Every held slot's lease, renewed (and, after an outage, written back: those taken meanwhile too).</summary>
    private async Task RenewAsync()
    {
        var ends = (_time.GetUtcNow() + _options.LeaseTime).ToUnixTimeMilliseconds();
        await Task.WhenAll(_held.All().Select(held => _redis.TryAsync(db => db.ScriptEvaluateAsync(RenewScript, [Key(held.Key)],
            [KeyLifetime, .. held.Members.SelectMany(m => new RedisValue[] { ends, m })]))));
    }

    private async Task RenewThenWakeAsync()
    {
        await HeartbeatAsync();
        Freed?.Invoke(null);
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private RedisKey Key(string key) => _redis.Key($"slots:{{{key}}}");

    // The set itself goes once nobody has renewed anything in it for two lease times (all its holders gone).
    private long KeyLifetime => (long)(_options.LeaseTime * 2).TotalMilliseconds;

    public ValueTask DisposeAsync() => _heartbeat.DisposeAsync();
}
