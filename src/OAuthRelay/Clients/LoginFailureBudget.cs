namespace OAuthRelay.Clients;

/// <summary>
/// Failed logins counted per key (a source address, a user name) across connections: once a key has had its maximum
/// within the window, it is refused before any password is hashed until the window has passed since its last
/// failure. A check takes a failure in advance and a success gives it back. The table is bounded: expired keys are swept, and past the cap the oldest are forgotten.
/// </summary>
internal sealed class LoginFailureBudget(int max, TimeSpan window, TimeProvider time)
{
    private const int Cap = 100_000;

    private readonly Dictionary<string, (int Failures, DateTimeOffset Last)> _keys = [];

    /// <summary>Takes one failure in advance; false, taking nothing, when the key's budget is spent.</summary>
    public bool TryReserve(string key)
    {
        var now = time.GetUtcNow();
        lock (_keys)
        {
            var (failures, last) = _keys.GetValueOrDefault(key);
            if (now - last >= window) failures = 0;
            if (failures >= max) return false;
            if (_keys.Count >= Cap && !_keys.ContainsKey(key)) Sweep(now);
            _keys[key] = (failures + 1, now);
            return true;
        }
    }

    /// <summary>Gives back a reserved failure: the password was right.</summary>
    public void Release(string key)
    {
        lock (_keys)
        {
            if (!_keys.TryGetValue(key, out var entry)) return;
            if (entry.Failures <= 1) _keys.Remove(key);
            else _keys[key] = (entry.Failures - 1, entry.Last);
        }
    }

    /// <summary>Whether the key has had its maximum of failures within the window.</summary>
    public bool IsSpent(string key)
    {
        lock (_keys) return _keys.TryGetValue(key, out var entry) && entry.Failures >= max && time.GetUtcNow() - entry.Last < window;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var expired in _keys.Where(k => now - k.Value.Last >= window).Select(k => k.Key).ToList()) _keys.Remove(expired);
        if (_keys.Count < Cap) return;
        foreach (var oldest in _keys.OrderBy(k => k.Value.Last).Take(Cap / 2).Select(k => k.Key).ToList()) _keys.Remove(oldest);
    }
}
