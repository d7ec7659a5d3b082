using System.Net;

namespace OAuthRelay.Connections;

/// <summary>Counts open connections overall and per client address, across all listeners.</summary>
public sealed class ConnectionLimiter(int maxConnections, int maxPerClient)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private int _total;

    public int OpenConnections
    {
        get
        {
            lock (_gate) return _total;
        }
    }

    /// <summary>Takes a slot for a new connection, or returns null when a limit is reached.</summary>
    public IDisposable? TryAcquire(IPAddress? client)
    {
        var key = client ?? IPAddress.None;
        lock (_gate)
        {
            var fromClient = _perClient.GetValueOrDefault(key);
            if (_total >= maxConnections || fromClient >= maxPerClient) return null;
            _total++;
            _perClient[key] = fromClient + 1;
        }

        return new Slot(this, key);
    }

    private void Release(IPAddress key)
    {
        lock (_gate)
        {
            _total--;
            if (--_perClient[key] == 0) _perClient.Remove(key);
        }
    }

    private sealed class Slot(ConnectionLimiter owner, IPAddress key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(key);
        }
    }
}
