namespace OAuthRelay.Tests.Infrastructure;

/// <summary>Waiting for a condition that an event announces, without polling: checked at once and again on each event.</summary>
internal static class EventWait
{
    /// <summary>Completes once <paramref name="condition"/> holds; fails after <paramref name="timeout"/> (30 s by default).</summary>
    public static async Task UntilAsync(Func<bool> condition, Action<Action> subscribe, Action<Action> unsubscribe, TimeSpan? timeout = null)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (condition()) reached.TrySetResult();
        }

        subscribe(Check);
        try
        {
            Check();
            await reached.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        finally
        {
            unsubscribe(Check);
        }
    }
}
