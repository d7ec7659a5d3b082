using Microsoft.AspNetCore.Mvc;
using OAuthRelay.Observability;
using OAuthRelay.Queue;

namespace OAuthRelay.OperatorConsole.Pages;

/// <summary>
/// Queue: the queued messages with retry, hold/release and delete (after a confirmation, a page of its own so that it
/// works without script), and the latest dead letters. Each change is audited; a refusal is worded as the /queue
/// endpoints word it.
/// </summary>
internal sealed class QueueModel(QueueManager queue, ConsoleAudit audit, TimeProvider time) : ConsolePage
{
    public const int DeadLettersShown = 20;

    public IReadOnlyList<QueueEntry> Entries { get; private set; } = [];

    public IReadOnlyList<QueueEntry> DeadLetters { get; private set; } = [];

    /// <summary>The message whose deletion waits for confirmation, from ?confirm=ID.</summary>
    public QueueEntry? Confirming { get; private set; }

    public DateTimeOffset Now { get; } = time.GetUtcNow();

    public override int RefreshSeconds => Confirming is null ? 15 : 0;

    public void OnGet(string? confirm)
    {
        Entries = queue.Entries();
        DeadLetters = queue.DeadLetters().TakeLast(DeadLettersShown).Reverse().ToList();
        Confirming = confirm is null ? null : Entries.FirstOrDefault(e => e.Id == confirm);
        if (confirm is not null && Confirming is null) Problem = QueueEndpoints.Refusal(QueueChange.NotQueued, confirm, queue);
    }

    public string State(QueueEntry entry) => QueueStates.Of(entry, Now);

    public Task<IActionResult> OnPostRetryAsync(string id) => ChangeAsync(id, "retried", queue.RetryAsync);

    public Task<IActionResult> OnPostHoldAsync(string id) => ChangeAsync(id, "held", i => queue.HoldAsync(i, held: true));

    public Task<IActionResult> OnPostReleaseAsync(string id) => ChangeAsync(id, "released", i => queue.HoldAsync(i, held: false));

    public Task<IActionResult> OnPostDeleteAsync(string id) => ChangeAsync(id, "deleted", queue.DeleteAsync);

    private async Task<IActionResult> ChangeAsync(string? id, string done, Func<string, Task<QueueChange>> change)
    {
        if (string.IsNullOrEmpty(id)) return Outcome("No message id given.");
        var problem = QueueEndpoints.Refusal(await change(id), id, queue);
        if (problem is null) audit.Did(Who, $"{done} queued message {id}");
        return Outcome(problem, $"Message {id} {done}.");
    }
}
