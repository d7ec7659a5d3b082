using System.CommandLine;
using System.Net;
using System.Text.Json;

namespace OAuthRelay.Cli;

/// <summary>
/// <c>queue list|show|retry|delete|hold|release</c>: the running relay's queue, through its admin endpoint as
/// <c>status</c> asks it. Exit 0 done, 1 the relay refused (an unknown id, a dead letter, a message being delivered,
/// a retry of a held one), 2 the relay could not be asked.
/// </summary>
internal static class QueueCommandLine
{
    public static Command Create(Option<string> config)
    {
        var deadLetters = new Option<bool>("--deadletter") { Description = "List the dead letters (failed for good or deleted) with their reasons instead" };
        var list = new Command("list", "List the queued messages: id, client, account, sender, recipients, size, age, attempts, next attempt, last reply") { deadLetters };
        list.SetAction((result, ct) =>
        {
            var dead = result.GetValue(deadLetters);
            return AskAsync(result, config, HttpMethod.Get, dead ? "queue/deadletter" : "queue", (json, output) => QueueListing.Table(json!.Value, dead, output), ct);
        });

        var show = new Command("show", "Show one message, queued or dead letter, with its recipients delivered, refused and pending") { IdArgument() };
        show.SetAction((result, ct) => AskAsync(result, config, HttpMethod.Get, MessagePath(result, ""), (json, output) => QueueListing.Detail(json!.Value, output), ct));

        var optionalId = new Argument<string?>("id") { Description = "The message id", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Retry every queued message" };
        var retry = new Command("retry", "Try a message (or --all but the held ones) now, whatever its back-off; the mailbox's pacing limits still apply") { optionalId, all };
        retry.Validators.Add(result =>
        {
            if (result.GetValue(optionalId) is null == !result.GetValue(all)) result.AddError("Give a message id or --all.");
        });
        retry.SetAction((result, ct) => result.GetValue(optionalId) is { } id
            ? AskAsync(result, config, HttpMethod.Post, MessagePath(result, "/retry"), Say($"Message {id} is due now."), ct)
            : AskAsync(result, config, HttpMethod.Post, "queue/retry", (json, output) => output.WriteLine($"{json!.Value.GetProperty("retried").GetInt32()} message(s) due now."), ct));

        return new Command("queue", "The running relay's queue (needs Admin:Port)")
        {
            list,
            show,
            retry,
            Change(config, "delete", "Take a message out of the queue into the dead letters (no bounce goes to the sender)", HttpMethod.Delete, "", "moved to the dead letters"),
            Change(config, "hold", "Hold a message: it is not delivered until released", HttpMethod.Post, "/hold", "held"),
            Change(config, "release", "Release a held message: it is delivered when due", HttpMethod.Post, "/release", "released"),
        };
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The message id (from queue list, or the client's 250 reply)" };

    private static string MessagePath(ParseResult result, string action) => $"queue/{Uri.EscapeDataString(result.GetRequiredValue<string>("id"))}{action}";

    private static Action<JsonElement?, TextWriter> Say(string done) => (_, output) => output.WriteLine(done);

    /// <summary>A verb that changes one message (the relay answers 204 when done).</summary>
    private static Command Change(Option<string> config, string name, string description, HttpMethod method, string action, string done)
    {
        var command = new Command(name, description) { IdArgument() };
        command.SetAction((result, ct) =>
            AskAsync(result, config, method, MessagePath(result, action), Say($"Message {result.GetRequiredValue<string>("id")} {done}."), ct));
        return command;
    }

    /// <summary>Asks the relay and prints its answer (null when it has no body); or says why not, with the exit code.</summary>
    private static async Task<int> AskAsync(ParseResult result, Option<string> config, HttpMethod method, string path, Action<JsonElement?, TextWriter> print, CancellationToken cancellationToken)
    {
        var console = result.InvocationConfiguration;
        using var admin = AdminClient.Open(result.GetValue(config)!, console.Error);
        using var answer = admin is null ? null : await admin.SendAsync(method, path, cancellationToken);
        if (answer is null) return AdminClient.Unreachable;
        if (!answer.IsSuccessStatusCode)
        {
            await console.Error.WriteLineAsync(await AdminClient.ProblemAsync(answer, cancellationToken));
            // It answered but would not: an unknown id, or a message that cannot change now.
            return answer.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict ? 1 : AdminClient.Unreachable;
        }

        var body = await answer.Content.ReadAsStringAsync(cancellationToken);
        using var json = body.Length > 0 ? JsonDocument.Parse(body) : null;
        print(json?.RootElement, console.Output);
        return 0;
    }
}
