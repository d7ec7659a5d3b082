using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// At most a given number of sends at once per mailbox (Graph allows 4 concurrent requests per mailbox, and each send
/// makes its requests one after another); a send waits up to Upstream:ConnectionWaitTimeout for its turn.
/// </summary>
internal sealed class MailboxConcurrency
{
    private readonly Dictionary<string, SemaphoreSlim> _mailboxes = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IDisposable> EnterAsync(string mailbox, int limit, TimeSpan wait, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate;
        lock (_mailboxes)
        {
            if (!_mailboxes.TryGetValue(mailbox, out gate!)) _mailboxes[mailbox] = gate = new SemaphoreSlim(limit, limit);
        }

        if (!await gate.WaitAsync(wait, cancellationToken)) throw new UpstreamBusyException(mailbox, wait);
        return new Slot(gate);
    }

    private sealed class Slot(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
