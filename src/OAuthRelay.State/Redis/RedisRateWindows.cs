using System.Collections.Concurrent;
using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// Rate windows in Redis, one script per reservation (one round trip): a sorted set of the last minute's reservations,
/// one of the last day's, a hash of their weights with the day's total, and a hash of the replicas' credits. Times are
/// the replicas' clocks. A delivered message's new time rides along with the replica's next script for the mailbox, or
/// goes after <see cref="StampDelay"/>. Far from the limits (at least twice <see cref="CreditSize"/> messages free in
/// the minute, after every credit), a reservation also brings a credit: <see cref="CreditSize"/> messages the replica
/// admits on its own for <see cref="CreditLife"/>, which Redis counts against everyone else until it lapses, and which
/// what the replica admitted replaces when it reaches Redis. So the fleet never exceeds a limit, and a busy replica far
/// from them goes to Redis a few times a second instead of twice a message; near a limit (Exchange's 30 a minute) every
/// message is asked for. Each replica also counts its own reservations locally: while Redis is unreachable it reserves
/// against those with its share of the limits, and on Redis's return writes what it reserved meanwhile back.
/// </summary>
internal sealed class RedisRateWindows : IRateWindows
{
    // KEYS: minute set, day set, weights hash. ARGV[from]: how many admitted reservations follow as (id, at ms, weight),
    // then to the end delivered stamps as (at ms, id): the reservations are counted, and one still counted for the day
    // counts in the minute from when it was delivered.
    private const string SettleFunction = """
        local function settle(from)
          local n = tonumber(ARGV[from])
          for i = from + 1, from + 3 * n, 3 do
            redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
            redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
            redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
            redis.call('HINCRBY', KEYS[3], 'total', tonumber(ARGV[i + 2]))
          end
          for i = from + 1 + 3 * n, #ARGV, 2 do
            if redis.call('ZSCORE', KEYS[2], ARGV[i + 1]) then
              redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
              redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
            end
          end
          for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 86460000) end
        end
        """;

    // KEYS as above, then the credits hash (replica -> "messages weight lapses-at-ms"). ARGV: now ms, id, weight, per
    // minute, per day, 1 to count without checking, replica, credit wanted (messages; 0: none), when it lapses (ms),
    // then what is owed (see settle). This replica's earlier credit ends: what it admitted on it is in what is owed.
    // Returns {1, now, credit messages, credit weight} when reserved, else {0, not before ms (-1: never), 1 if the
    // day's weight is what is used up}.
    private const string ReserveScript = SettleFunction + "\n" + """
        settle(10)
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
        redis.call('HDEL', KEYS[4], ARGV[7])
        local creditM, creditW, lapse = 0, 0, -1
        local credits = redis.call('HGETALL', KEYS[4])
        for i = 1, #credits, 2 do
          local m, w, untilMs = string.match(credits[i + 1], '(%d+) (%d+) (%d+)')
          if tonumber(untilMs) <= now then
            redis.call('HDEL', KEYS[4], credits[i])
          else
            creditM = creditM + tonumber(m)
            creditW = creditW + tonumber(w)
            if lapse < 0 or tonumber(untilMs) < lapse then lapse = tonumber(untilMs) end
          end
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
          if over + creditW > 0 then return {0, lapse, 0} end
          local count = redis.call('ZCARD', KEYS[1])
          if count >= tonumber(ARGV[4]) then
            return {0, tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]) + 60000, 0}
          end
          if count + creditM >= tonumber(ARGV[4]) then return {0, lapse, 0} end
        end
        redis.call('ZADD', KEYS[1], now, ARGV[2])
        redis.call('ZADD', KEYS[2], now, ARGV[2])
        redis.call('HSET', KEYS[3], ARGV[2], weight)
        redis.call('HINCRBY', KEYS[3], 'total', weight)
        for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 86460000) end
        local wanted = tonumber(ARGV[8])
        if wanted > 0 then
          local freeM = tonumber(ARGV[4]) - redis.call('ZCARD', KEYS[1]) - creditM
          local freeW = tonumber(ARGV[5]) - tonumber(redis.call('HGET', KEYS[3], 'total')) - creditW
          if freeM >= 2 * wanted and freeW >= 2 * wanted * weight then
            redis.call('HSET', KEYS[4], ARGV[7], wanted .. ' ' .. wanted * weight .. ' ' .. ARGV[9])
            redis.call('PEXPIRE', KEYS[4], 86460000)
            return {1, now, wanted, wanted * weight}
          end
        end
        return {1, now, 0, 0}
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

    private const string SettleScript = SettleFunction + "\n" + """
        settle(1)
        return 0
        """;

    /// <summary>How long what is owed waits for a reservation to ride along with.</summary>
    internal static readonly TimeSpan StampDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>Messages a credit holds: it is granted only while twice as many are free, after every credit.</summary>
    internal const int CreditSize = 32;

    /// <summary>How long a replica admits on a credit; Redis counts it for another <see cref="CreditLife"/> and the Redis timeout, until what was admitted has surely arrived.</summary>
    internal static readonly TimeSpan CreditLife = TimeSpan.FromSeconds(1);

    private readonly RedisConnection _redis;
    private readonly StateOptions _options;
    private readonly TimeProvider _time;
    private readonly LocalRateWindows _own;
    private readonly RateLedger _ledger = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(); // per key: one script at a time, in order
    private readonly ConcurrentDictionary<string, RateReservation> _unshared = new();
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
        if (Admit(key, weight) is { } credited) return credited;
        var gate = Gate(key);
        await gate.WaitAsync(cancellationToken);
        try
        {
            // A reservation that went before this one may have brought a credit.
            if (Admit(key, weight) is { } creditedMeanwhile) return creditedMeanwhile;
            var id = Guid.NewGuid().ToString("N");
            var now = _time.GetUtcNow();
            var (owed, arguments) = _ledger.Take(key, revokeCredit: true);
            var lapses = now + 2 * CreditLife + _options.Timeout;
            var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReserveScript, Keys(key),
                [now.ToUnixTimeMilliseconds(), id, weight, limits.PerMinute, limits.WeightPerDay, 0, _redis.ReplicaId, CreditSize, lapses.ToUnixTimeMilliseconds(), owed.Length, .. arguments]));
            if (attempt.Ok)
            {
                var result = (long[])attempt.Value!;
                if (result[0] == 0)
                    return new RateDecision(null, result[1] < 0 ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(result[1]), result[2] == 1);
                if (result[2] > 0) _ledger.Grant(key, (int)result[2], result[3], now + CreditLife);
                var reservation = new RateReservation(key, id, now, weight);
                _own.Add(reservation);
                return new RateDecision(reservation, now, false);
            }

            Unshare(owed);
            var decision = _own.TryReserve(key, weight, new RateLimits(_options.LocalShare(limits.PerMinute), _options.LocalShare(limits.WeightPerDay)), id);
            if (decision.Reservation is { } local) _unshared[local.Id] = local;
            return decision;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task ReleaseAsync(RateReservation reservation, CancellationToken cancellationToken)
    {
        _own.Release(reservation);
        _unshared.TryRemove(reservation.Id, out _);
        if (_ledger.Forget(reservation)) return; // admitted on a credit and not yet told: nothing to take back
        var gate = Gate(reservation.Key);
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReleaseScript, Keys(reservation.Key), [reservation.Id]));
        }
        finally
        {
            gate.Release();
        }
    }

    public Task DeliveredAsync(RateReservation reservation, CancellationToken cancellationToken)
    {
        _own.Delivered(reservation);
        if (_unshared.ContainsKey(reservation.Id))
        {
            _unshared[reservation.Id] = reservation with { At = _time.GetUtcNow() };
            return Task.CompletedTask;
        }

        _ledger.Stamp(reservation.Key, reservation.Id, _time.GetUtcNow());
        FlushSoon();
        return Task.CompletedTask;
    }

    /// <summary>Raised when what no reservation took along has been sent on its own.</summary>
    internal event Action? Settled;

    private RateDecision? Admit(string key, int weight)
    {
        var now = _time.GetUtcNow();
        if (_ledger.TryAdmit(key, weight, now) is not { } reservation) return null;
        _own.Add(reservation);
        FlushSoon();
        return new RateDecision(reservation, now, false);
    }

    private SemaphoreSlim Gate(string key) => _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));

    private void FlushSoon()
    {
        if (Interlocked.Exchange(ref _flushing, 1) == 0) _ = FlushAsync();
    }

    /// <summary>
    /// Sends what no reservation took along. Admitted reservations that cannot be sent (Redis away) are written back
    /// when it returns; a stamp is dropped (the message then counts from its reservation, moments earlier).
    /// </summary>
    private async Task FlushAsync()
    {
        await Task.Delay(StampDelay);
        Volatile.Write(ref _flushing, 0); // what is owed from here on has a flush of its own
        foreach (var key in _ledger.Owing())
        {
            var gate = Gate(key);
            await gate.WaitAsync();
            try
            {
                var (owed, arguments) = _ledger.Take(key, revokeCredit: false);
                if (arguments.Length == 0) continue;
                if (!(await _redis.TryAsync(db => db.ScriptEvaluateAsync(SettleScript, Keys(key), [owed.Length, .. arguments]))).Ok) Unshare(owed);
            }
            finally
            {
                gate.Release();
            }
        }

        Settled?.Invoke();
    }

    private void Unshare(IEnumerable<RateReservation> reservations)
    {
        foreach (var reservation in reservations) _unshared[reservation.Id] = reservation;
    }

    /// <summary>The reservations made while Redis was away (of the last day), counted in Redis now.</summary>
    private async Task ShareAsync()
    {
        var dayAgo = _time.GetUtcNow() - LocalRateWindows.Day;
        foreach (var reservation in _unshared.Values.OrderBy(r => r.At))
        {
            if (reservation.At > dayAgo)
            {
                var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(ReserveScript, Keys(reservation.Key),
                    [reservation.At.ToUnixTimeMilliseconds(), reservation.Id, reservation.Weight, 0, 0, 1, "", 0, 0, 0]));
                if (!attempt.Ok) return;
            }

            _unshared.TryRemove(reservation.Id, out _);
        }
    }

    // The keys of every script, in one hash slot: minute set, day set, weights hash, credits hash.
    private RedisKey[] Keys(string key) =>
        [_redis.Key($"rate:{{{key}}}:minute"), _redis.Key($"rate:{{{key}}}:day"), _redis.Key($"rate:{{{key}}}:weights"), _redis.Key($"rate:{{{key}}}:credits")];
}
