using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>
/// A fake clock that tells the test each time the server arms a timer, so a test can advance time exactly when the
/// server is waiting on it, with no sleeps and no races.
/// </summary>
public sealed class SignalingTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(DateTimeOffset.UtcNow);

    public void Advance(TimeSpan delta) => Fake.Advance(delta);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SignalingTimer(Fake.CreateTimer(callback, state, dueTime, period), _armed.Writer);
        if (dueTime != Timeout.InfiniteTimeSpan) _armed.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until a timer is armed with exactly <paramref name="dueTime"/>, then moves the clock past it.</summary>
    public async Task FireTimerAsync(TimeSpan dueTime)
    {
        await WaitForTimerAsync(dueTime);
        Fake.Advance(dueTime);
    }

    /// <summary>
    /// Waits until a timer is armed with a due time between <paramref name="atLeast"/> and <paramref name="atMost"/>
    /// (for deadlines computed from a token's lifetime, which MSAL states on the real clock), then moves the clock past it.
    /// </summary>
    public async Task FireTimerAsync(TimeSpan atLeast, TimeSpan atMost)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        TimeSpan due;
        do due = await _armed.Reader.ReadAsync(timeout.Token);
        while (due < atLeast || due > atMost);
        Fake.Advance(due);
    }

    /// <summary>Forgets the timers armed so far, so that the next wait sees only timers armed after this call.</summary>
    public void ForgetArmedTimers()
    {
        while (_armed.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Waits until a timer is armed with exactly <paramref name="dueTime"/>; the clock does not move.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (await _armed.Reader.ReadAsync(timeout.Token) != dueTime)
        {
        }
    }

    private sealed class SignalingTimer(ITimer inner, ChannelWriter<TimeSpan> armed) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan) armed.TryWrite(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
