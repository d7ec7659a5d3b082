using System.Net;

namespace OAuthRelay.Connections;

/// <summary>
/// Counts open connections overall, per listener and per client address. The per-listener caps keep a flood on one
/// listener (say IMAP) from taking the slots another (SMTP submission) needs.
/// </summary>
public sealed class ConnectionLimiter(int maxConnections, int maxPerClient, IReadOnlyDictionary<string, int> maxPerListener)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private readonly Dictionary<string, int> _perListener = [];
    private int _total;

    public int OpenConnections
    {
        get
        {
            lock (_gate) return _total;
        }
    }

    /// <summary>Takes a slot for a new connection on <paramref name="listener"/>, or returns null and the limit reached.</summary>
    public IDisposable? TryAcquire(string listener, IPAddress? client, out string? limitReached)
    {
        var key = client ?? IPAddress.None;
        lock (_gate)
        {
            var onListener = _perListener.GetValueOrDefault(listener);
            var fromClient = _perClient.GetValueOrDefault(key);
            limitReached = onListener >= maxPerListener[listener] ? $"listener connection limit {maxPerListener[listener]}"
                : fromClient >= maxPerClient ? $"per-client connection limit {maxPerClient}"
                : _total >= maxConnections ? $"overall connection limit {maxConnections}"
                : null;
            if (limitReached is not null) return null;
            _total++;
            _perListener[listener] = onListener + 1;
            _perClient[key] = fromClient + 1;
        }

        return new Slot(this, listener, key);
    }

    private void Release(string listener, IPAddress key)
    {
        lock (_gate)
        {
            _total--;
            if (--_perListener[listener] == 0) _perListener.Remove(listener);
            if (--_perClient[key] == 0) _perClient.Remove(key);
        }
    }

    private sealed class Slot(ConnectionLimiter owner, string listener, IPAddress key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(listener, key);
        }
    }
}
