using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// What one replica owes Redis per rate key, and the credit Redis gave it. A credit is a number of messages (and of
/// weight) Redis counts as this replica's until it lapses, so that the replica may admit that many on its own, without
/// a round trip; what it admits, and the times messages were delivered, go to Redis with its next script for the key.
/// </summary>
internal sealed class RateLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new();

    /// <summary>A reservation on the key's credit, or null when none is left or it has lapsed.</summary>
    public RateReservation? TryAdmit(string key, int weight, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.Messages < 1 || entry.Weight < weight || now >= entry.Until) return null;
            entry.Messages--;
            entry.Weight -= weight;
            var reservation = new RateReservation(key, Guid.NewGuid().ToString("N"), now, weight);
            entry.Admitted.Add(reservation);
            return reservation;
        }
    }

    /// <summary>The credit Redis granted with a reservation (replacing any earlier one, which Redis dropped).</summary>
    public void Grant(string key, int messages, long weight, DateTimeOffset until)
    {
        lock (_gate)
        {
            var entry = Of(key);
            (entry.Messages, entry.Weight, entry.Until) = (messages, weight, until);
        }
    }

    /// <summary>A delivered message's new time, owed to Redis.</summary>
    public void Stamp(string key, string id, DateTimeOffset at)
    {
        lock (_gate) Of(key).Stamps.AddRange([at.ToUnixTimeMilliseconds(), id]);
    }

    /// <summary>Drops an admitted reservation Redis has not been told of yet; false when it has been.</summary>
    public bool Forget(RateReservation reservation)
    {
        lock (_gate) return _entries.TryGetValue(reservation.Key, out var entry) && entry.Admitted.RemoveAll(r => r.Id == reservation.Id) > 0;
    }

    /// <summary>
    /// What is owed for the key, taken to go with a script: the admitted reservations as (id, at ms, weight) triples,
    /// then the stamps as (at ms, id) pairs. With <paramref name="revokeCredit"/> the credit ends here too: the script
    /// replaces it, and nothing may be admitted on it while the script is on its way.
    /// </summary>
    public (RateReservation[] Admitted, RedisValue[] Arguments) Take(string key, bool revokeCredit)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry)) return ([], []);
            if (revokeCredit) (entry.Messages, entry.Weight) = (0, 0);
            var admitted = entry.Admitted.ToArray();
            RedisValue[] arguments = [.. admitted.SelectMany(r => new RedisValue[] { r.Id, r.At.ToUnixTimeMilliseconds(), r.Weight }), .. entry.Stamps];
            entry.Admitted.Clear();
            entry.Stamps.Clear();
            return (admitted, arguments);
        }
    }

    /// <summary>The keys something is owed for.</summary>
    public string[] Owing()
    {
        lock (_gate) return [.. _entries.Where(e => e.Value.Admitted.Count > 0 || e.Value.Stamps.Count > 0).Select(e => e.Key)];
    }

    private Entry Of(string key)
    {
        if (!_entries.TryGetValue(key, out var entry)) _entries[key] = entry = new Entry();
        return entry;
    }

    private sealed class Entry
    {
        public int Messages;
        public long Weight;
        public DateTimeOffset Until;
        public readonly List<RateReservation> Admitted = [];
        public readonly List<RedisValue> Stamps = [];
    }
}
