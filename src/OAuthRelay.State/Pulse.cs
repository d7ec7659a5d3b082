namespace OAuthRelay.State;

/// <summary>
/// Wakes every waiter at once. A waiter takes <see cref="Next"/> before it checks what it waits for, then waits on it,
/// so a wake-up between the check and the wait is not lost.
/// </summary>
public sealed class Pulse
{
    private TaskCompletionSource _next = New();

    public Task Next => Volatile.Read(ref _next).Task;

    public void Wake() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    /// <summary>Until <paramref name="pulse"/> completes or <paramref name="until"/> comes on <paramref name="time"/>'s clock.</summary>
    public static async Task WaitAsync(Task pulse, DateTimeOffset until, TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = until - time.GetUtcNow();
        if (delay <= TimeSpan.Zero || pulse.IsCompleted) return;
        // Timers run in whole milliseconds: rounded down, the wake-up would come just before the moment it is for.
        delay = TimeSpan.FromMilliseconds(Math.Min(Math.Ceiling(delay.TotalMilliseconds), TimeSpan.FromDays(1).TotalMilliseconds));
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = Task.Delay(delay, time, timer.Token);
        // The delay counts from when its timer was set: had the clock passed the moment meanwhile (a fake clock moves in one step), it would come too late.
        if (until > time.GetUtcNow()) await Task.WhenAny(pulse, elapsed);
        await timer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
