using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Queue;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Queue;

/// <summary>
/// Watches a relay's queue: each delivery attempt as it is recorded, and, on a fake clock, moves time to exactly when
/// the next attempt of a message is due (its retry, or the end of its mailbox's pause), so no test waits on real time.
/// </summary>
internal sealed class QueueProbe : IDisposable
{
    private readonly Channel<DeliveryAttempt> _attempts = Channel.CreateUnbounded<DeliveryAttempt>();

    public QueueProbe(RelayTestHost relay)
    {
        Manager = relay.Services.GetRequiredService<QueueManager>();
        Manager.Attempted += Record;
    }

    public QueueManager Manager { get; }

    /// <summary>The next attempt recorded (bounded in time).</summary>
    public async Task<DeliveryAttempt> NextAttemptAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _attempts.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>
    /// Moves the clock to when the messages may be tried again, all of them: their next attempts, or later if their
    /// mailbox is paused.
    /// </summary>
    public void AdvanceToRetry(SignalingTimeProvider time, params string[] messageIds)
    {
        var due = messageIds.Max(id => Manager.Find(id)!.NextAttempt);
        foreach (var pausedUntil in Manager.PausedMailboxes().Values) due = due > pausedUntil ? due : pausedUntil;
        // The relay's timers run in whole milliseconds, rounded up.
        var wait = due - time.GetUtcNow();
        if (wait > TimeSpan.Zero) time.Advance(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)));
    }

    /// <summary>
    /// Follows attempts until <paramref name="count"/> have ended their message (delivered, bounced, expired), moving
    /// the clock to each deferred message's retry; returns those final attempts in the order they came.
    /// </summary>
    public async Task<List<DeliveryAttempt>> UntilSettledAsync(SignalingTimeProvider? time, int count)
    {
        var settled = new List<DeliveryAttempt>();
        while (settled.Count < count)
        {
            var attempt = await NextAttemptAsync();
            if (attempt.Result != DeliveryAttempt.Deferred) settled.Add(attempt);
            else if (time is not null) AdvanceToRetry(time, attempt.MessageId);
        }

        return settled;
    }

    public void Dispose() => Manager.Attempted -= Record;

    private void Record(DeliveryAttempt attempt) => _attempts.Writer.TryWrite(attempt);
}
