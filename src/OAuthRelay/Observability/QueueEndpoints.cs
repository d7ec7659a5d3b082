using OAuthRelay.Queue;

namespace OAuthRelay.Observability;

/// <summary>
/// The queue's admin routes: list it and its dead letters, show one message, retry one or all, hold, release, and
/// delete (to the dead letters, never bounced). JSON. An id in neither the queue nor the dead letters is 404; a change
/// the message cannot take now (a dead letter, a message being delivered, a retry of a held one) is 409 and says why
/// (problem details). A change that a page of another site asks for is 403 (<see cref="CrossSiteRequestFilter"/>).
/// </summary>
internal static class QueueEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var queue = routes.MapGroup("/queue");
        queue.MapGet("", (QueueManager manager, TimeProvider time) => List(manager.Entries(), time, QueuedMessageView.Row));
        queue.MapGet("/deadletter", (QueueManager manager, TimeProvider time) => List(manager.DeadLetters(), time, QueuedMessageView.Detail));
        queue.MapGet("/{id}", (string id, QueueManager manager, TimeProvider time) =>
            (manager.Find(id) ?? manager.FindDeadLetter(id)) is { } entry ? Results.Json(QueuedMessageView.Detail(entry, time.GetUtcNow())) : NotFound(id));
        var changes = queue.MapGroup("").AddEndpointFilter<CrossSiteRequestFilter>();
        changes.MapPost("/retry", async (QueueManager manager) => Results.Json(new { retried = await manager.RetryAllAsync() }));
        changes.MapPost("/{id}/retry", async (string id, QueueManager manager) => Answer(await manager.RetryAsync(id), id, manager));
        changes.MapPost("/{id}/hold", async (string id, QueueManager manager) => Answer(await manager.HoldAsync(id, held: true), id, manager));
        changes.MapPost("/{id}/release", async (string id, QueueManager manager) => Answer(await manager.HoldAsync(id, held: false), id, manager));
        changes.MapDelete("/{id}", async (string id, QueueManager manager) => Answer(await manager.DeleteAsync(id), id, manager));
    }

    private static IResult List(IReadOnlyList<QueueEntry> entries, TimeProvider time, Func<QueueEntry, DateTimeOffset, QueuedMessageView> view)
    {
        var now = time.GetUtcNow();
        return Results.Json(new { now, messages = entries.Select(e => view(e, now)) });
    }

    /// <summary>Why a change was not made, in the words the endpoints and the console both use; null when it was made.</summary>
    public static string? Refusal(QueueChange change, string id, QueueManager manager) => change switch
    {
        QueueChange.Done => null,
        QueueChange.Busy => $"Message {id} is being delivered or changed right now; try again once that is over.",
        QueueChange.Held => $"Message {id} is held; release it to have it tried.",
        _ when manager.FindDeadLetter(id) is { } dead => $"Message {id} is in the dead letters ({dead.DeadLetterReason}); it can no longer be changed.",
        _ => NoMessage(id),
    };

    private static IResult Answer(QueueChange change, string id, QueueManager manager) => Refusal(change, id, manager) switch
    {
        null => Results.NoContent(),
        var refusal when refusal == NoMessage(id) => NotFound(id),
        var refusal => Conflict(refusal),
    };

    private static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict);

    private static IResult NotFound(string id) => Results.Problem(NoMessage(id), statusCode: StatusCodes.Status404NotFound);

    private static string NoMessage(string id) => $"No message {id} in the queue or its dead letters.";
}
