using OAuthRelay.Queue;

namespace OAuthRelay.OperatorConsole;

/// <summary>The queue as the console shows and changes it; each change answers null when done, or why not.</summary>
internal sealed class ConsoleQueue(QueueManager manager, TimeProvider time)
{
    public IReadOnlyList<QueueEntry> Entries() => manager.Entries();

    public IReadOnlyList<QueueEntry> DeadLetters() => manager.DeadLetters();

    /// <summary>How long the oldest message not held has waited, or null when none waits.</summary>
    public TimeSpan? OldestAge()
    {
        var now = time.GetUtcNow();
        return manager.Entries().Where(e => !e.Held).Select(e => (TimeSpan?)(now - e.Envelope.Received)).Max();
    }

    public async Task<string?> RetryAsync(string id) =>
        manager.Find(id) is { Held: true } ? $"Message {id} is held; release it to have it tried."
        : await manager.RetryAsync(id, CancellationToken.None) ? null : NotQueued(id);

    public async Task<string?> HoldAsync(string id, bool held) => await manager.HoldAsync(id, held, CancellationToken.None) ? null : NotQueued(id);

    public async Task<string?> DeleteAsync(string id) =>
        await manager.DeleteAsync(id, CancellationToken.None) ? null : $"Message {id} is not in the queue, or is being delivered right now.";

    private static string NotQueued(string id) => $"Message {id} is not in the queue.";
}
