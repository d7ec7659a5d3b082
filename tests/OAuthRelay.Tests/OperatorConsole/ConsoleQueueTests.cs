using OAuthRelay.Tests.Queue;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>The Queue page holds, releases, retries and deletes queued messages; the Overview and Messages pages report traffic.</summary>
public sealed class ConsoleQueueTests
{
    private const string Deferred = "later@example.test";

    /// <summary>A message of client "app" (queued) that the fake Office 365 defers, so that it waits in the queue for an hour.</summary>
    private static async Task<string> QueueDeferredMessageAsync(ConsoleRig console)
    {
        console.Rig.Office.DeferredRecipients.Add(Deferred);
        using var probe = new QueueProbe(console.Rig.Relay);
        await using var smtp = await console.Rig.Relay.OpenAuthenticatedAsync();
        Assert.Equal(250, (await smtp.SendMessageAsync(console.Rig.Mailbox, Deferred, "Subject: queued\r\n\r\nbody")).Code);
        var attempt = await probe.NextAttemptAsync();
        Assert.Equal("deferred", attempt.Result);
        return attempt.MessageId;
    }

    private static Dictionary<string, string> Id(string id) => new() { ["id"] = id };

    [Fact]
    public async Task A_message_is_held_released_and_deleted_after_a_confirmation()
    {
        await using var console = await ConsoleRig.StartAsync(s => s["Clients:app:DeliveryMode"] = "Queue");
        using var client = await console.SignedInClientAsync();
        var id = await QueueDeferredMessageAsync(console);

        var page = await client.PageAsync("/mail-queue");
        Assert.Contains($"<tr id=\"message-{id}\">", page);
        Assert.Contains("<span class=\"figure\">1</span> message(s) queued", page);
        Assert.Contains("<span class=\"figure\">1</span> message(s) queued", await client.PageAsync("/"));

        page = await client.ChangeAsync("/mail-queue", "Hold", Id(id));
        Assert.Equal($"Message {id} held.", ConsoleClient.Message(page, "status"));
        Assert.Contains("<td class=\"queue-state\">held</td>", page);
        Assert.Equal($"Message {id} is held; release it to have it tried.", ConsoleClient.Message(await client.ChangeAsync("/mail-queue", "Retry", Id(id)), "alert"));
        page = await client.ChangeAsync("/mail-queue", "Release", Id(id));
        Assert.Contains("<td class=\"queue-state\">deferred</td>", page);

        var confirmation = await client.PageAsync($"/mail-queue?confirm={id}");
        Assert.Contains($"Delete message {id}?", confirmation);
        Assert.Contains("data-refresh=\"0\"", confirmation);
        page = await client.ChangeAsync($"/mail-queue?confirm={id}", "Delete", Id(id));
        Assert.Equal($"Message {id} deleted.", ConsoleClient.Message(page, "status"));
        Assert.DoesNotContain($"<tr id=\"message-{id}\">", page);
        Assert.Contains("deleted by an operator", page); // the dead letters
        Assert.Contains(console.Rig.Relay.Logs.Lines, l => l.Contains($"Audit: admin at 127.0.0.1 deleted queued message {id}"));
    }

    [Theory]
    [InlineData("Retry", "nope", "No message nope in the queue or its dead letters.")]
    [InlineData("Hold", "nope", "No message nope in the queue or its dead letters.")]
    [InlineData("Release", "nope", "No message nope in the queue or its dead letters.")]
    [InlineData("Delete", "nope", "No message nope in the queue or its dead letters.")]
    [InlineData("Retry", "", "No message id given.")]
    public async Task Bad_input_is_rejected_with_a_message(string handler, string id, string message)
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();

        Assert.Equal(message, ConsoleClient.Message(await client.ChangeAsync("/mail-queue", handler, Id(id)), "alert"));
        Assert.Equal("No message nope in the queue or its dead letters.", ConsoleClient.Message(await client.PageAsync("/mail-queue?confirm=nope"), "alert"));
    }

    [Fact]
    public async Task Messages_lists_each_message_with_its_reply_and_filters_by_client_and_reply_class()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();
        console.Rig.Office.Verdict = m => m.To.Contains("refused@example.test") ? "550 5.7.1 Not today" : null;
        await using (var smtp = await console.Rig.Relay.OpenAuthenticatedAsync())
        {
            Assert.Equal(250, (await smtp.SendMessageAsync(console.Rig.Mailbox, "someone@example.test", "Subject: one\r\n\r\nbody")).Code);
            Assert.Equal(550, (await smtp.SendMessageAsync(console.Rig.Mailbox, "refused@example.test", "Subject: two\r\n\r\nbody")).Code);
        }

        var all = await client.PageAsync("/messages");
        Assert.Equal(2, CountRows(all));
        Assert.Contains("<td>app</td>", all);
        Assert.Contains("<td>office</td>", all);
        Assert.Contains("550 5.7.1", all);
        var refused = await client.PageAsync("/messages?client=app&reply=5xx");
        Assert.Equal(1, CountRows(refused));
        Assert.Contains("550 5.7.1", refused);
        Assert.Equal(0, CountRows(await client.PageAsync("/messages?client=basic")));
        Assert.Equal("The reply class must be one of 2xx, 4xx, 5xx, not '6xx'.", ConsoleClient.Message(await client.PageAsync("/messages?reply=6xx"), "alert"));

        var overview = await client.PageAsync("/");
        Assert.Contains("<strong>office</strong>: 1 accepted in the last hour; peak 1 a minute; within Exchange", overview);
        Assert.Contains("<line class=\"limit\"", overview);
        Assert.Contains("<rect class=\"bar\"", overview);
        Assert.Contains("state-healthy", overview);
        Assert.Contains("<td>main</td><td>Smtp</td><td>StartTls</td><td>127.0.0.1:", overview);
        Assert.Contains("<span class=\"figure\">0</span> message(s) queued", overview);
        Assert.DoesNotContain(console.Rig.Entra.IssuedSecrets, overview.Contains);
    }

    private static int CountRows(string page) => System.Text.RegularExpressions.Regex.Count(page, "<tr class=\"reply-");
}
