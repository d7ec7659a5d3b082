using System.Collections.Concurrent;
using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// Rate windows in Redis, one script per reservation (one round trip): a sorted set of the last minute's reservations,
/// one of the last day's, and a hash of their weights with the day's total. Times are the replicas' clocks. A delivered
/// message's new time rides along with the replica's next reservation for the mailbox, or goes on its own after
/// <see cref="StampDelay"/>: a client sending one message after another then costs one round trip a message, not two.
/// Each replica also counts its own reservations locally: while Redis is unreachable it reserves against those with its
/// share of the limits, and on Redis's return writes what it reserved meanwhile back, so the fleet's windows stay whole.
/// </summary>
internal sealed class RedisRateWindows : IRateWindows
{
    // KEYS: minute set, day set, weights hash. ARGV from the given index: pairs of delivered at (ms) and id. A
    // reservation still counted for the day counts in the minute from when it was delivered.
    private const string RestampFunction = """
        local function restamp(from)
          for i = from, #ARGV, 2 do
            if redis.call('ZSCORE', KEYS[2], ARGV[i + 1]) then
              redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
              redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
            end
          end
        end
        """;

    // ARGV: now ms, id, weight, per minute, per day, 1 to count without checking, then delivered stamps (see above).
    // Returns {1, now} when reserved, else {0, not before ms (-1: never), 1 if the day's weight is what is used up}.
    private const string ReserveScript = RestampFunction + "\n" + """
        restamp(7)
        local now = tonumber(ARGV[1])
        local weight = tonumber(ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
        local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - 86400000)
        if #expired > 0 then
          local aged = 0
          for _, id in ipairs(expired) do
            aged = aged + tonumber(redis.call('HGET', KEYS[3], id) or '0')
            redis.call('HDEL', KEYS[3], id)
          end
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 86400000)
          redis.call('HINCRBY', KEYS[3], 'total', -aged)
        end
        if ARGV[6] ~= '1' then
          local over = tonumber(redis.call('HGET', KEYS[3], 'total') or '0') + weight - tonumber(ARGV[5])
          if over > 0 then
            local day = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
            for i = 1, #day, 2 do
              over = over - tonumber(redis.call('HGET', KEYS[3], day[i]) or '0')
              if over <= 0 then return {0, tonumber(day[i + 1]) + 86400000, 1} end
            end
            return {0, -1, 1}
          end
          if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
            return {0, tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]) + 60000, 0}
          end
        end
        redis.call('ZADD', KEYS[1], now, ARGV[2])
        redis.call('ZADD', KEYS[2], now, ARGV[2])
        redis.call('HSET', KEYS[3], ARGV[2], weight)
        redis.call('HINCRBY', KEYS[3], 'total', weight)
        for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 86460000) end
        return {1, now}
        """;

    private const string ReleaseScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        local weight = redis.call('HGET', KEYS[3], ARGV[1])
        if weight then
          redis.call('HDEL', KEYS[3], ARGV[1])
          redis.call('HINCRBY', KEYS[3], 'total', -tonumber(weight))
        end
        return 0
        """;

    private const string DeliveredScript = RestampFunction + "\n" + """
        restamp(1)
        return 0
        """;

    /// <summary>How long a delivered message's new time waits for a reservation to ride along with.</summary>
    internal static readonly TimeSpan StampDelay = TimeSpan.FromMilliseconds(20);

    private readonly RedisConnection _redis;
    private readonly StateOptions _options;
    private readonly TimeProvider _time;
    private readonly LocalRateWindows _own;
    private readonly ConcurrentDictionary<string, RateReservation> _unshared = new();
    private readonly Dictionary<string, List<RedisValue>> _stamps = new(); // key -> delivered at (ms), id, ...
    private int _flushing;

    public RedisRateWindows(RedisConnection redis, StateOptions options, TimeProvider time)
    {
        _redis = redis;
        _options = options;
        _time = time;
        _own = new LocalRateWindows(time);
        redis.Restored += () => _ = ShareAsync();
    }

    public async Task<RateDecision> TryReserveAsync(string key, int weight, RateLimits limits, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = _time.GetUtcNow();
        var stamps = TakeStamps(key);
        var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReserveScript, Keys(key), [now.ToUnixTimeMilliseconds(), id, weight, limits.PerMinute, limits.WeightPerDay, 0, .. stamps]));
        if (attempt.Ok)
        {
            var result = (long[])attempt.Value!;
            if (result[0] == 0)
                return new RateDecision(null, result[1] < 0 ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(result[1]), result[2] == 1);
            var reservation = new RateReservation(key, id, now, weight);
            _own.Add(reservation);
            return new RateDecision(reservation, now, false);
        }

        var decision = _own.TryReserve(key, weight, new RateLimits(_options.LocalShare(limits.PerMinute), _options.LocalShare(limits.WeightPerDay)), id);
        if (decision.Reservation is { } local) _unshared[local.Id] = local;
        return decision;
    }

    public async Task ReleaseAsync(RateReservation reservation, CancellationToken cancellationToken)
    {
        _own.Release(reservation);
        _unshared.TryRemove(reservation.Id, out _);
        await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReleaseScript, Keys(reservation.Key), [reservation.Id]));
    }

    public Task DeliveredAsync(RateReservation reservation, CancellationToken cancellationToken)
    {
        _own.Delivered(reservation);
        if (_unshared.ContainsKey(reservation.Id))
        {
            _unshared[reservation.Id] = reservation with { At = _time.GetUtcNow() };
            return Task.CompletedTask;
        }

        lock (_stamps)
        {
            if (!_stamps.TryGetValue(reservation.Key, out var stamps)) _stamps[reservation.Key] = stamps = [];
            stamps.AddRange([_time.GetUtcNow().ToUnixTimeMilliseconds(), reservation.Id]);
        }

        if (Interlocked.Exchange(ref _flushing, 1) == 0) _ = FlushStampsSoonAsync();
        return Task.CompletedTask;
    }

    private RedisValue[] TakeStamps(string key)
    {
        lock (_stamps) return _stamps.Remove(key, out var stamps) ? [.. stamps] : [];
    }

    /// <summary>
    /// Sends the stamps no reservation took along. A stamp that cannot be sent (Redis away) is dropped: the message
    /// then counts from its reservation, moments earlier.
    /// </summary>
    private async Task FlushStampsSoonAsync()
    {
        await Task.Delay(StampDelay);
        Volatile.Write(ref _flushing, 0); // a stamp added from here on has a flush of its own
        string[] keys;
        lock (_stamps) keys = [.. _stamps.Keys];
        foreach (var key in keys)
        {
            var stamps = TakeStamps(key);
            if (stamps.Length > 0) await _redis.TryAsync(db => db.ScriptEvaluateAsync(DeliveredScript, Keys(key), stamps));
        }

        StampsSent?.Invoke();
    }

    /// <summary>Raised when stamps that no reservation took along have been sent on their own.</summary>
    internal event Action? StampsSent;

    /// <summary>The reservations made while Redis was away (of the last day), counted in Redis now.</summary>
    private async Task ShareAsync()
    {
        var dayAgo = _time.GetUtcNow() - LocalRateWindows.Day;
        foreach (var reservation in _unshared.Values.OrderBy(r => r.At))
        {
            if (reservation.At > dayAgo)
            {
                var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReserveScript, Keys(reservation.Key),
                    [reservation.At.ToUnixTimeMilliseconds(), reservation.Id, reservation.Weight, 0, 0, 1]));
                if (!attempt.Ok) return;
            }

            _unshared.TryRemove(reservation.Id, out _);
        }
    }

    private RedisKey[] Keys(string key) => [_redis.Key($"rate:{{{key}}}:minute"), _redis.Key($"rate:{{{key}}}:day"), _redis.Key($"rate:{{{key}}}:weights")];
}
