namespace OAuthRelay.Upstream;

/// <summary>
/// The upstream connections of one identity: at most <c>max</c> open at once (Exchange Online refuses a fourth
/// submitting connection per mailbox with 432 4.3.2), idle ones reused after a check, callers queueing (bounded)
/// for a free one. A new connection is opened only when no idle one can be reused, so open ≤ max. An idle connection
/// is reused while the token it authenticated with is valid, whatever happened to the token service since: a refresh
/// does not throw healthy connections away, and an Entra ID outage does not stop mail while one is idle.
/// </summary>
internal sealed class IdentityConnectionPool(UpstreamIdentity identity, UpstreamConnector connector, UpstreamOptions options, TimeProvider time)
{
    // An idle connection older than this is probed with NOOP before reuse; a fresher one is trusted.
    private static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(5);

    // A connection whose token expires within this is not reused: whether Exchange ends a session at its token's
    // expiry is not known, and a message must not be cut off by it.
    private static readonly TimeSpan TokenSafety = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _slots = new(options.MaxConnectionsPerMailbox, options.MaxConnectionsPerMailbox);
    private readonly Stack<UpstreamConnection> _idle = new();

    public UpstreamPoolUsage Usage
    {
        get
        {
            lock (_idle) return new UpstreamPoolUsage(identity.ToString(), options.MaxConnectionsPerMailbox - _slots.CurrentCount, _idle.Count, options.MaxConnectionsPerMailbox);
        }
    }

    public async Task<UpstreamLease> LeaseAsync(CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(options.ConnectionWaitTimeout, cancellationToken)) throw new UpstreamBusyException(identity.ToString(), options.ConnectionWaitTimeout);
        try
        {
            while (TakeIdle() is { } idle)
            {
                if (await IsReusableAsync(idle, cancellationToken)) return new UpstreamLease(this, idle);
                await idle.DisposeAsync();
            }

            return new UpstreamLease(this, await connector.ConnectAsync(identity, cancellationToken));
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Back to the pool if it is still good, closed otherwise; the slot is free again either way.</summary>
    public async ValueTask ReturnAsync(UpstreamConnection connection, bool reusable)
    {
        try
        {
            if (reusable && connection.Client.IsConnected)
            {
                connection.LastUsed = time.GetUtcNow();
                lock (_idle) _idle.Push(connection);
            }
            else
            {
                await connection.DisposeAsync();
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Closes idle connections unused for longer than the idle timeout (every one when the pool is disposed).</summary>
    public async Task CloseIdleAsync(bool all)
    {
        while (TakeStale(all) is var (connection, slot) && connection is not null)
        {
            try
            {
                await connection.DisposeAsync();
            }
            finally
            {
                if (slot) _slots.Release();
            }
        }
    }

    /// <summary>
    /// An idle connection to close, with a slot held while it closes: until Exchange has seen it go it still counts
    /// against the mailbox, so a lease must not open another meanwhile. With no slot free it stays idle for the next
    /// sweep (or a lease discards it). Disposing the pool (<paramref name="all"/>) needs no slot: nothing leases then.
    /// </summary>
    private (UpstreamConnection? Connection, bool Slot) TakeStale(bool all)
    {
        lock (_idle)
        {
            var cutoff = time.GetUtcNow() - options.IdleTimeout;
            var stale = _idle.FirstOrDefault(c => all || c.LastUsed <= cutoff);
            if (stale is null) return (null, false);
            var slot = !all && _slots.Wait(0);
            if (!all && !slot) return (null, false);
            var keep = _idle.Where(c => c != stale).Reverse().ToList();
            _idle.Clear();
            foreach (var connection in keep) _idle.Push(connection);
            return (stale, slot);
        }
    }

    private UpstreamConnection? TakeIdle()
    {
        lock (_idle) return _idle.TryPop(out var connection) ? connection : null;
    }

    private async Task<bool> IsReusableAsync(UpstreamConnection connection, CancellationToken cancellationToken)
    {
        if (!connection.Client.IsConnected || !connection.Client.IsAuthenticated && identity != UpstreamIdentity.Anonymous) return false;
        if (connection.TokenExpiresOn - TokenSafety <= time.GetUtcNow()) return false;
        var idleFor = time.GetUtcNow() - connection.LastUsed;
        if (idleFor >= options.IdleTimeout) return false;
        if (idleFor < ProbeAfter) return true;
        try
        {
            await connection.Client.NoOpAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (NetworkFailure.Is(e) || e is MailKit.CommandException)
        {
            return false;
        }
    }
}
