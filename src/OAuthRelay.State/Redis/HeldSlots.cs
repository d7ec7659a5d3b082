namespace OAuthRelay.State.Redis;

/// <summary>The slots this replica holds, by key: what the heartbeat renews, and what the local share counts while Redis is away.</summary>
internal sealed class HeldSlots
{
    private readonly Dictionary<string, Dictionary<string, int>> _byKey = []; // key -> member -> limit

    public int Count(string key)
    {
        lock (_byKey) return _byKey.TryGetValue(key, out var members) ? members.Count : 0;
    }

    /// <summary>Adds the member if fewer than <paramref name="below"/> are held for the key (int.MaxValue: always).</summary>
    public bool TryAdd(string key, string member, int limit, int below = int.MaxValue)
    {
        lock (_byKey)
        {
            if (!_byKey.TryGetValue(key, out var members)) _byKey[key] = members = [];
            if (members.Count >= below) return false;
            members[member] = limit;
            return true;
        }
    }

    public void Remove(string key, string member)
    {
        lock (_byKey)
        {
            if (_byKey.TryGetValue(key, out var members) && members.Remove(member) && members.Count == 0) _byKey.Remove(key);
        }
    }

    public IReadOnlyList<(string Key, string[] Members)> All()
    {
        lock (_byKey) return _byKey.Select(k => (k.Key, k.Value.Keys.ToArray())).ToList();
    }
}
