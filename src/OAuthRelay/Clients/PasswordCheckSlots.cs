namespace OAuthRelay.Clients;

/// <summary>
/// Who may compute a password hash now: one check at a time per source address (a guesser with many connections
/// queues behind itself) and at most a few across the relay (sized to the cores), so that hashing can never take all
/// the CPU. A check that cannot start within a short wait is told to try again later.
/// </summary>
internal sealed class PasswordCheckSlots(int maxConcurrent)
{
    /// <summary>Long enough for the checks ahead of it (tens of milliseconds each), short enough to answer quickly.</summary>
    internal static readonly TimeSpan AddressWait = TimeSpan.FromSeconds(5);

    internal static readonly TimeSpan GlobalWait = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _global = new(maxConcurrent, maxConcurrent);
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _perAddress = [];

    /// <summary>A slot to hash in, or null when none came free in time; dispose it when the hash is done.</summary>
    public async Task<IDisposable?> EnterAsync(string address)
    {
        var gate = Join(address);
        if (!await gate.WaitAsync(AddressWait))
        {
            Leave(address);
            return null;
        }

        if (await _global.WaitAsync(GlobalWait)) return new Slot(this, address, gate);
        gate.Release();
        Leave(address);
        return null;
    }

    private SemaphoreSlim Join(string address)
    {
        lock (_perAddress)
        {
            var (gate, users) = _perAddress.GetValueOrDefault(address);
            gate ??= new SemaphoreSlim(1, 1);
            _perAddress[address] = (gate, users + 1);
            return gate;
        }
    }

    private void Leave(string address)
    {
        lock (_perAddress)
        {
            var (gate, users) = _perAddress[address];
            if (users == 1)
            {
                _perAddress.Remove(address);
                gate.Dispose();
            }
            else
            {
                _perAddress[address] = (gate, users - 1);
            }
        }
    }

    private sealed class Slot(PasswordCheckSlots owner, string address, SemaphoreSlim gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            owner._global.Release();
            gate.Release();
            owner.Leave(address);
        }
    }
}
