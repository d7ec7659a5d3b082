using OAuthRelay.State;

namespace OAuthRelay.Upstream;

/// <summary>
/// The upstream connections of one identity: at most <c>max</c> open at once (Exchange Online refuses a fourth
/// submitting connection per mailbox with 432 4.3.2), idle ones reused after a check, callers queueing (bounded)
/// for a free one. A new connection is opened only when no idle one can be reused, so open ≤ max. An idle connection
/// is reused while the token it authenticated with is valid, whatever happened to the token service since: a refresh
/// does not throw healthy connections away, and an Entra ID outage does not stop mail while one is idle.
/// With shared state each open connection also holds one of the mailbox's slots across the replicas: a caller with
/// no idle connection waits for one to come back here or for a slot to come free anywhere. While another replica
/// waits, a pool holding more than its share closes connections down to it as they come back (and the slots grant
/// none beyond a share).
/// </summary>
internal sealed class IdentityConnectionPool(UpstreamIdentity identity, UpstreamConnector connector, IConnectionSlots connectionSlots, UpstreamOptions options, TimeProvider time)
{
    // An idle connection older than this is probed with NOOP before reuse; a fresher one is trusted.
    private static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(5);

    // A connection whose token expires within this is not reused: whether Exchange ends a session at its token's
    // expiry is not known, and a message must not be cut off by it.
    private static readonly TimeSpan TokenSafety = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _slots = new(options.MaxConnectionsPerMailbox, options.MaxConnectionsPerMailbox);
    private readonly Stack<UpstreamConnection> _idle = new();
    private readonly Pulse _changed = new();
    private int _open;
    private long _othersWaitUntil; // UTC ticks

    public UpstreamIdentity Identity => identity;

    public UpstreamPoolUsage Usage
    {
        get
        {
            lock (_idle) return new UpstreamPoolUsage(identity.ToString(), options.MaxConnectionsPerMailbox - _slots.CurrentCount, _idle.Count, options.MaxConnectionsPerMailbox);
        }
    }

    public async Task<UpstreamLease> LeaseAsync(CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(options.ConnectionWaitTimeout, cancellationToken)) throw Busy();
        try
        {
            var deadline = time.GetUtcNow() + options.ConnectionWaitTimeout;
            while (true)
            {
                var changed = _changed.Next;
                while (TakeIdle() is { } idle)
                {
                    if (await IsReusableAsync(idle, cancellationToken)) return new UpstreamLease(this, idle);
                    await CloseAsync(idle);
                }

                var attempt = await connectionSlots.TryAcquireAsync(identity.Mailbox, options.MaxConnectionsPerMailbox, cancellationToken);
                if (attempt.Slot is { } slot) return new UpstreamLease(this, await ConnectAsync(slot, cancellationToken));
                if (time.GetUtcNow() >= deadline) throw Busy();
                await Pulse.WaitAsync(changed, attempt.RetryAt < deadline ? attempt.RetryAt : deadline, time, cancellationToken);
            }
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
            if (reusable && connection.Client.IsConnected && connection.Slot.Held)
            {
                connection.LastUsed = time.GetUtcNow();
                lock (_idle) _idle.Push(connection);
                await CloseBeyondShareAsync();
            }
            else
            {
                await CloseAsync(connection);
            }
        }
        finally
        {
            _slots.Release();
            _changed.Wake();
        }
    }

    /// <summary>A slot of the mailbox came free, here or in another replica: a caller waiting for one asks again.</summary>
    public void SlotFreed() => _changed.Wake();

    /// <summary>
    /// Another replica waits for a connection to the mailbox until <paramref name="until"/>: until then this pool
    /// closes its idle connections beyond its share, now and as they come back.
    /// </summary>
    public Task YieldAsync(DateTimeOffset until)
    {
        AtomicMax.Raise(ref _othersWaitUntil, until.UtcTicks);
        return CloseBeyondShareAsync();
    }

    /// <summary>Closes idle connections unused for longer than the idle timeout (every one when the pool is disposed).</summary>
    public async Task CloseIdleAsync(bool all)
    {
        while (TakeStale(all) is var (connection, slot) && connection is not null)
        {
            try
            {
                await CloseAsync(connection);
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

    private UpstreamBusyException Busy() => new(identity.ToString(), options.ConnectionWaitTimeout);

    // Counted open from the slot on, so that a replica asking for one while this connects is answered rightly.
    private async Task<UpstreamConnection> ConnectAsync(ConnectionSlot slot, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _open);
        try
        {
            var connection = await connector.ConnectAsync(identity, cancellationToken);
            connection.Slot = slot;
            return connection;
        }
        catch
        {
            Interlocked.Decrement(ref _open);
            await slot.DisposeAsync();
            throw;
        }
    }

    private async Task CloseAsync(UpstreamConnection connection)
    {
        Interlocked.Decrement(ref _open);
        await connection.DisposeAsync();
    }

    // Run after each change of either side (a wait announced, a connection back), so that neither is missed.
    private async Task CloseBeyondShareAsync()
    {
        while (time.GetUtcNow().UtcTicks < Interlocked.Read(ref _othersWaitUntil)
               && Volatile.Read(ref _open) > connectionSlots.FairShare(options.MaxConnectionsPerMailbox)
               && TakeIdle() is { } idle)
            await CloseAsync(idle);
    }

    private UpstreamConnection? TakeIdle()
    {
        lock (_idle) return _idle.TryPop(out var connection) ? connection : null;
    }

    private async Task<bool> IsReusableAsync(UpstreamConnection connection, CancellationToken cancellationToken)
    {
        if (!connection.Client.IsConnected || !connection.Client.IsAuthenticated && identity != UpstreamIdentity.Anonymous) return false;
        if (!connection.Slot.Held) return false;
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
