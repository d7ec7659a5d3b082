using Microsoft.Extensions.Options;
using MimeKit;
using OAuthRelay.Delivery;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;
using OAuthRelay.State;
using OAuthRelay.Upstream;

namespace OAuthRelay.Queue;

/// <summary>
/// Delivers the queue at Office 365's pace, like Postfix's queue manager: per mailbox at most
/// MaxConnectionsPerMailbox deliveries at once and no more messages than its rate allows, oldest first and in turn
/// between clients. A temporary failure is retried with exponential back-off and jitter until MaxQueueLifetime; a
/// refusal that concerns the mailbox (432 4.3.2, quota) pauses the whole mailbox; a permanent refusal bounces the
/// recipients it names (a delivery status notification to the sender, the message to the dead-letter folder).
/// </summary>
internal sealed partial class QueueManager(
    QueueStore store,
    DeliveryTransports transports,
    MailboxRateLimiter limiter,
    IOptions<QueueOptions> queueOptions,
    IOptions<Smtp.Server.SmtpServerOptions> smtpOptions,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<QueueManager> logger) : BackgroundService
{
    private readonly Lock _gate = new();

    // Recovered while the host composes its services, before any listener can accept a message into the store.
    private readonly Dictionary<string, QueueEntry> _entries = store.Recover().ToDictionary(e => e.Id);
    // Being delivered, or being changed by an operator: nothing else touches such a message or writes its state.
    private readonly HashSet<string> _busy = [];
    private readonly List<Task> _deliveries = [];
    private readonly Dictionary<string, int> _active = [];
    private readonly Dictionary<string, DateTimeOffset> _pausedUntil = [];
    private readonly Dictionary<string, string> _lastClient = [];
    private readonly Pulse _changed = new();

    private QueueOptions Options => queueOptions.Value;

    /// <summary>Raised once each attempt is over: its outcome recorded (on disk, and in the message's next attempt) and the message free again.</summary>
    public event Action<DeliveryAttempt>? Attempted;

    /// <summary>A message the store has accepted: it is delivered as soon as its mailbox allows.</summary>
    public void Enqueue(QueueEntry entry)
    {
        lock (_gate) _entries[entry.Id] = entry;
        Wake();
    }

    /// <summary>The queued messages (not the dead letters), oldest first.</summary>
    public IReadOnlyList<QueueEntry> Entries()
    {
        lock (_gate) return _entries.Values.OrderBy(e => e.Envelope.Received).ToList();
    }

    /// <summary>The mailboxes whose deliveries wait now (Exchange asked them to slow down, or their rate is used up), and until when.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> PausedMailboxes()
    {
        var now = time.GetUtcNow();
        lock (_gate) return _pausedUntil.Where(p => p.Value > now).ToDictionary();
    }

    /// <summary>Until when the mailbox an account's messages go to waits, or null when it does not.</summary>
    public DateTimeOffset? PausedUntil(string? account)
    {
        var now = time.GetUtcNow();
        lock (_gate) return _pausedUntil.TryGetValue(MailboxOf(account), out var until) && until > now ? until : null;
    }

    /// <summary>The messages that failed for good or were deleted, with their reasons, oldest first.</summary>
    public IReadOnlyList<QueueEntry> DeadLetters() => store.DeadLetters();

    /// <summary>One dead letter, read from the disk; null when there is none by that id.</summary>
    public QueueEntry? FindDeadLetter(string id) => store.DeadLetter(id);

    public QueueEntry? Find(string id)
    {
        lock (_gate) return _entries.GetValueOrDefault(id);
    }

    /// <summary>
    /// Makes a message due now, whatever its back-off, and lifts its mailbox's pause after a 432 or quota reply. The
    /// mailbox's pacing still applies: connections, messages per minute and recipients per day are checked as ever.
    /// </summary>
    public Task<QueueChange> RetryAsync(string id) => ChangeAsync(id, entry =>
    {
        if (entry.Held) return QueueChange.Held;
        entry.NextAttempt = time.GetUtcNow();
        _pausedUntil.Remove(MailboxOf(entry));
        return QueueChange.Done;
    }, Save);

    /// <summary>Retries every message that is neither held nor being delivered; returns how many.</summary>
    public async Task<int> RetryAllAsync()
    {
        var retried = 0;
        foreach (var entry in Entries())
            if (await RetryAsync(entry.Id) == QueueChange.Done) retried++;
        return retried;
    }

    /// <summary>Holds a message (it is not tried until released) or releases it.</summary>
    public async Task<QueueChange> HoldAsync(string id, bool held)
    {
        var change = await ChangeAsync(id, entry =>
        {
            entry.Held = held;
            return QueueChange.Done;
        }, Save);
        if (change == QueueChange.Done) LogHeld(id, held ? "held" : "released");
        return change;
    }

    /// <summary>Takes a message out of the queue by an operator's decision: to the dead-letter folder, no bounce.</summary>
    public Task<QueueChange> DeleteAsync(string id) => ChangeAsync(id, _ => QueueChange.Done, async entry =>
    {
        await store.DeadLetterAsync(entry, "deleted by an operator", CancellationToken.None);
        lock (_gate) _entries.Remove(entry.Id);
        LogFinished(id, entry.Envelope.Client, entry.Envelope.Account ?? "-", "deleted by an operator; last reply", entry.LastReply ?? "none, never tried");
    });

    /// <summary>
    /// An operator's change: decided under the lock, then recorded while the message is busy, so that no delivery
    /// starts and no other change writes its state meanwhile. Recorded in full even if the asker goes away.
    /// </summary>
    private async Task<QueueChange> ChangeAsync(string id, Func<QueueEntry, QueueChange> decide, Func<QueueEntry, Task> record)
    {
        QueueEntry? entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(id, out entry)) return QueueChange.NotQueued;
            if (_busy.Contains(id)) return QueueChange.Busy;
            var decision = decide(entry);
            if (decision != QueueChange.Done) return decision;
            _busy.Add(id);
        }

        try
        {
            await record(entry);
        }
        finally
        {
            lock (_gate) _busy.Remove(id);
            Wake();
        }

        return QueueChange.Done;
    }

    private Task Save(QueueEntry entry) => store.SaveAsync(entry, CancellationToken.None);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // No delivery starts once the host begins to stop, even before this service's own turn to stop comes.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var changed = _changed.Next;
                var next = await DispatchAsync(stopping.Token);
                await Pulse.WaitAsync(changed, next ?? DateTimeOffset.MaxValue, time, stopping.Token);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        // A delivery under way is finished (its upstream send is not cut off), or the message simply stays queued.
        Task[] running;
        lock (_gate) running = [.. _deliveries];
        await Task.WhenAll(running);
    }

    private void Wake() => _changed.Wake();

    /// <summary>Starts every delivery that may start now; returns when something will next be due (null: nothing waits on time).</summary>
    /// <remarks>
    /// Runs after every delivery and every accepted message, over the whole queue: one pass, with each account's
    /// mailbox looked up once, not once a message.
    /// </remarks>
    private async Task<DateTimeOffset?> DispatchAsync(CancellationToken stopping)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? next = null;
        var due = new Dictionary<string, List<QueueEntry>>();
        var mailboxes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? withoutAccount = null;
        lock (_gate)
        {
            foreach (var entry in _entries.Values)
            {
                if (entry.Held || _busy.Contains(entry.Id)) continue;
                if (entry.NextAttempt > now)
                {
                    next = Earliest(next, entry.NextAttempt);
                    continue;
                }

                var account = entry.Envelope.Account;
                var mailbox = account is null ? withoutAccount ??= MailboxOf(account)
                    : mailboxes.TryGetValue(account, out var known) ? known : mailboxes[account] = MailboxOf(account);
                if (!due.TryGetValue(mailbox, out var list)) due[mailbox] = list = [];
                list.Add(entry);
            }

            foreach (var mailbox in due.Keys)
            {
                if (!_pausedUntil.TryGetValue(mailbox, out var paused) || paused <= now) continue;
                next = Earliest(next, paused);
                due.Remove(mailbox);
            }
        }

        // Reserving may ask Redis: outside the lock, so that accepting messages never waits on it.
        foreach (var (mailbox, list) in due) next = Earliest(next, await StartDueAsync(mailbox, list, stopping));
        return next;
    }

    /// <summary>
    /// Starts due messages of the mailbox in turn while it has deliveries to spare and its rate allows; returns when the
    /// rate allows the next one if that is what stopped it.
    /// </summary>
    private async Task<DateTimeOffset?> StartDueAsync(string mailbox, List<QueueEntry> due, CancellationToken stopping)
    {
        var limits = LimitsOf(due[0]);
        while (due.Count > 0 && !stopping.IsCancellationRequested)
        {
            QueueEntry entry;
            lock (_gate)
            {
                if (_active.GetValueOrDefault(mailbox) >= limits.MaxConcurrent) return null;
                entry = NextInTurn(mailbox, due);
            }

            var (reservation, notBefore, _) = await limiter.TryReserveAsync(mailbox, limits.MessagesPerMinute, entry.Pending.Count, CancellationToken.None);
            if (reservation is null)
            {
                lock (_gate) _pausedUntil[mailbox] = notBefore;
                return notBefore;
            }

            due.Remove(entry);
            if (!TryStart(entry, mailbox, reservation, stopping)) await limiter.ReleaseAsync(reservation);
        }

        return null;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>The oldest due message of the client after the one served last, so that no client starves another.</summary>
    private QueueEntry NextInTurn(string mailbox, List<QueueEntry> due)
    {
        var last = _lastClient.GetValueOrDefault(mailbox);
        QueueEntry? first = null, after = null; // of the first client in ordinal order, and of the first after the last served
        foreach (var entry in due)
        {
            if (first is null || Before(entry, first)) first = entry;
            if (string.CompareOrdinal(entry.Envelope.Client, last) > 0 && (after is null || Before(entry, after))) after = entry;
        }

        return after ?? first!;
    }

    /// <summary>Whether <paramref name="entry"/> comes before <paramref name="other"/>: by client, then oldest first.</summary>
    private static bool Before(QueueEntry entry, QueueEntry other) =>
        string.CompareOrdinal(entry.Envelope.Client, other.Envelope.Client) is var byClient && (byClient < 0 || byClient == 0 && entry.Envelope.Received < other.Envelope.Received);

    /// <summary>Starts the delivery unless the host began to stop or the message was held, deleted or taken while its place was reserved.</summary>
    private bool TryStart(QueueEntry entry, string mailbox, RateReservation reservation, CancellationToken stopping)
    {
        lock (_gate)
        {
            if (stopping.IsCancellationRequested || entry.Held || _busy.Contains(entry.Id) || !_entries.ContainsKey(entry.Id)) return false;
            _busy.Add(entry.Id);
            _active[mailbox] = _active.GetValueOrDefault(mailbox) + 1;
            // The turn passes only with a delivery that starts: a try the mailbox's rate refused is no client's turn.
            _lastClient[mailbox] = entry.Envelope.Client;
            var delivery = Task.Run(() => DeliverAsync(entry, mailbox, reservation));
            _deliveries.Add(delivery);
            _ = delivery.ContinueWith(done =>
            {
                lock (_gate) _deliveries.Remove(done);
            }, TaskScheduler.Default);
            return true;
        }
    }

    private async Task DeliverAsync(QueueEntry entry, string mailbox, RateReservation reservation)
    {
        DeliveryAttempt attempt;
        try
        {
            store.MarkSending(entry);
            var outcome = transports.Serves(entry.Envelope.Account)
                ? await transports.TransportFor(transports.IdentityFor(entry.Envelope.Account)).SendAsync(store.Content(entry), transports.IdentityFor(entry.Envelope.Account), entry.Pending, allOrNothing: false, CancellationToken.None)
                : TransportOutcome.Failed(new SmtpReply(451, "4.3.0", $"Account '{entry.Envelope.Account}' is not configured in this relay"), permanent: false);
            if (outcome.Sent) await limiter.DeliveredAsync(reservation);
            else await limiter.ReleaseAsync(reservation);
            var result = await ApplyAsync(entry, mailbox, outcome);
            attempt = new DeliveryAttempt(entry.Id, entry.Envelope.Account ?? "-", result, entry.LastReply!);
        }
        catch (Exception e)
        {
            // The relay's own trouble (a disk, a bug): the message stays queued and is tried again later.
            LogDeliveryFailed(e, entry.Id);
            await limiter.ReleaseAsync(reservation);
            entry.NextAttempt = time.GetUtcNow() + RetryDelay(entry.Attempts + 1);
            attempt = new DeliveryAttempt(entry.Id, entry.Envelope.Account ?? "-", DeliveryAttempt.Deferred, "451 4.3.0 delivery failed inside the relay");
        }

        lock (_gate)
        {
            _busy.Remove(entry.Id);
            _active[mailbox]--;
        }

        // Told once the message is free again, so that whoever hears of the attempt may change the message at once.
        Attempted?.Invoke(attempt);
        Wake();
    }

    /// <summary>Records an attempt's outcome; returns its result (one of <see cref="DeliveryAttempt"/>'s).</summary>
    private async Task<string> ApplyAsync(QueueEntry entry, string mailbox, TransportOutcome outcome)
    {
        var now = time.GetUtcNow();
        entry.Attempts++;
        entry.LastReply = outcome.Reply.ToString();
        entry.Delivered.AddRange(outcome.Accepted);
        foreach (var refusal in outcome.Refused.Where(r => r.Permanent)) entry.Refused[refusal.Recipient] = refusal.Reply.ToString();
        if (!outcome.Sent && outcome.Permanent)
            foreach (var recipient in entry.Pending) entry.Refused[recipient] = outcome.Reply.ToString();
        var account = entry.Envelope.Account ?? "-";
        LogAttempt(entry.Id, entry.Envelope.Client, account, entry.Attempts, outcome.Accepted.Count, entry.Refused.Count, entry.Pending.Count, entry.LastReply);

        if (entry.Pending.Count > 0 && now - entry.Envelope.Received >= Options.MaxQueueLifetime)
        {
            foreach (var recipient in entry.Pending) entry.Refused[recipient] = $"{entry.LastReply} (delivery time expired after {Options.MaxQueueLifetime})";
            await FinishAsync(entry, expired: true);
            return DeliveryAttempt.Expired;
        }

        if (entry.Pending.Count == 0)
        {
            await FinishAsync(entry, expired: false);
            return entry.Refused.Count == 0 ? DeliveryAttempt.Delivered : DeliveryAttempt.Bounced;
        }

        // The upstream's own Retry-After says when, exactly; otherwise exponential back-off.
        var wait = outcome.RetryAfter ?? RetryDelay(entry.Attempts);
        entry.NextAttempt = now + wait;
        if (outcome.MailboxBackOff)
        {
            // The mailbox itself is over its limits: every message of it waits, until Retry-After or at least a minute.
            var until = now + (outcome.RetryAfter ?? (wait > TimeSpan.FromMinutes(1) ? wait : TimeSpan.FromMinutes(1)));
            lock (_gate) _pausedUntil[mailbox] = until;
            LogMailboxPaused(mailbox, until, entry.LastReply);
        }

        await store.SaveAsync(entry, CancellationToken.None);
        store.ClearSending(entry);
        return DeliveryAttempt.Deferred;
    }

    /// <summary>The message is done: delivered everywhere (it leaves), or some recipients failed (bounce, dead letter).</summary>
    /// <remarks>It leaves the queue only once that is done: if the bounce cannot be stored, the message stays and is tried again.</remarks>
    private async Task FinishAsync(QueueEntry entry, bool expired)
    {
        var account = entry.Envelope.Account ?? "-";
        if (entry.Refused.Count == 0)
        {
            store.Complete(entry);
            lock (_gate) _entries.Remove(entry.Id);
            LogFinished(entry.Id, entry.Envelope.Client, account, "delivered", entry.LastReply ?? "-");
            return;
        }

        if (!entry.IsBounce) await BounceAsync(entry, expired);
        var reason = string.Join("; ", entry.Refused.Select(r => $"<{r.Key}>: {r.Value}"));
        await store.DeadLetterAsync(entry, reason, CancellationToken.None);
        lock (_gate) _entries.Remove(entry.Id);
        LogFinished(entry.Id, entry.Envelope.Client, account, expired ? "expired" : entry.IsBounce ? "bounce failed (not bounced again)" : "bounced", reason);
    }

    /// <summary>Queues the delivery status notification, sent like any message of the account, to whom BounceTo says.</summary>
    private async Task BounceAsync(QueueEntry failed, bool expired)
    {
        var to = Options.BounceTo switch
        {
            BounceTarget.Sender => failed.Envelope.Sender,
            BounceTarget.Postmaster => Options.PostmasterAddress,
            _ => null,
        };
        if (string.IsNullOrEmpty(to)) return;

        // Exchange takes mail only from the account's own mailbox, so the notification comes from it.
        var from = transports.Serves(failed.Envelope.Account) && transports.IdentityFor(failed.Envelope.Account) is { UsesOAuth: true } identity
            ? identity.UserName
            : $"postmaster@{smtpOptions.Value.HostName}";
        HeaderList headers;
        await using (var content = store.Content(failed).OpenContent()) headers = await HeaderList.LoadAsync(content);
        var notification = BounceMessage.Build(failed, from, to, smtpOptions.Value.HostName, time.GetUtcNow(), headers, expired);
        var bytes = new MemoryStream();
        await notification.WriteToAsync(bytes);
        bytes.Position = 0;
        var envelope = failed.Envelope with
        {
            Id = MessageIds.New(time),
            Sender = from,
            Recipients = [to],
            SmtpUtf8 = false,
            Size = bytes.Length,
            Received = time.GetUtcNow(),
        };
        Enqueue(await store.AcceptAsync(envelope, bytes, isBounce: true, CancellationToken.None));
        LogBounceQueued(failed.Id, envelope.Id, to);
    }

    /// <summary>The n-th retry waits a random half to whole of InitialRetry × 2^(n-1), at most MaxRetry.</summary>
    private TimeSpan RetryDelay(int attempts)
    {
        var full = TimeSpan.FromTicks(Math.Min(Options.MaxRetry.Ticks, Options.InitialRetry.Ticks << Math.Clamp(attempts - 1, 0, 20)));
        return full * (0.5 + Random.Shared.NextDouble() / 2);
    }

    private MailboxLimits LimitsOf(QueueEntry entry) =>
        transports.LimitsFor(transports.Serves(entry.Envelope.Account) ? transports.IdentityFor(entry.Envelope.Account) : UpstreamIdentity.Anonymous);

    private string MailboxOf(QueueEntry entry) => MailboxOf(entry.Envelope.Account);

    private string MailboxOf(string? account) =>
        transports.Serves(account) ? DeliveryTransports.MailboxOf(transports.IdentityFor(account)) : $"account:{account}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} client={Client} account={Account} attempt {Attempt}: {Delivered} delivered, {Refused} refused, {Pending} pending; reply=\"{Reply}\"")]
    private partial void LogAttempt(string messageId, string client, string account, int attempt, int delivered, int refused, int pending, string reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} client={Client} account={Account} {Outcome}: {Reply}")]
    private partial void LogFinished(string messageId, string client, string account, string outcome, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mailbox {Mailbox} paused until {Until:u}: {Reply}")]
    private partial void LogMailboxPaused(string mailbox, DateTimeOffset until, string reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} bounced: delivery status notification {BounceId} queued for {To}")]
    private partial void LogBounceQueued(string messageId, string bounceId, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} {Change} by an operator")]
    private partial void LogHeld(string messageId, string change);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId}: delivery failed inside the relay; it stays queued")]
    private partial void LogDeliveryFailed(Exception exception, string messageId);
}
