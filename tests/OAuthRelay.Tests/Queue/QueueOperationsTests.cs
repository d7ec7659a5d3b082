using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Observability;
using OAuthRelay.Queue;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Queue;

/// <summary>
/// Operating the queue of a running relay: the <c>queue</c> verbs through its admin endpoint, the queue in /status and
/// /metrics, and /health's warning about old messages. Messages to <see cref="Far"/> stay queued (the fake Office 365
/// defers that recipient); time is a fake clock.
/// </summary>
public sealed class QueueOperationsTests
{
    private const string Token = "queue-admin-token-7";
    private const string Far = "far@example.test";
    private const string Near = "someone@example.test";

    private static async Task<RelayRig> StartAsync(SignalingTimeProvider time, Action<Dictionary<string, string?>>? adjust = null)
    {
        var rig = await QueuedDeliveryTests.StartQueuedAsync(time, s =>
        {
            s["Admin:Port"] = "0";
            s["Admin:BearerToken"] = Token;
            adjust?.Invoke(s);
        });
        rig.Office.DeferredRecipients.Add(Far);
        return rig;
    }

    /// <summary>A configuration file for the CLI that names the running relay's admin endpoint and token.</summary>
    private static string CliConfig(RelayRig rig)
    {
        var file = Path.Combine(rig.Relay.StateFolder, "cli.json");
        ConfigFiles.WriteJson(file, new Dictionary<string, string?> { ["Admin:Port"] = AdminEndPoint(rig).Port.ToString(), ["Admin:BearerToken"] = Token });
        return file;
    }

    private static IPEndPoint AdminEndPoint(RelayRig rig) => rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint!;

    private static Task<(HttpStatusCode Status, string Body)> GetAsync(RelayRig rig, string path) => SendAsync(rig, HttpMethod.Get, path, Token);

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(RelayRig rig, HttpMethod method, string path, string? token, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, $"http://{AdminEndPoint(rig)}{path}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static (string MessageId, string Result) Of(DeliveryAttempt attempt) => (attempt.MessageId, attempt.Result);

    /// <summary>The line of a listing that starts with the message's id, or null.</summary>
    private static string? Row(string listing, string id) => listing.Split('\n').FirstOrDefault(l => l.StartsWith(id + " "))?.TrimEnd('\r');

    /// <summary>A field of <c>queue show</c>'s output ("State:        deferred").</summary>
    private static string Field(string shown, string label) =>
        shown.Split('\n').Single(l => l.StartsWith(label + ":"))[(label.Length + 1)..].Trim();

    [Fact]
    public async Task Queue_verbs_list_show_hold_release_retry_and_delete_the_running_relays_messages()
    {
        var time = new SignalingTimeProvider();
        // One delivery at a time, so attempts are heard in the order they are made.
        await using var rig = await StartAsync(time, s => s["Upstream:MaxConnectionsPerMailbox"] = "1");
        using var probe = new QueueProbe(rig.Relay);
        var cli = CliConfig(rig);
        Task<(int Exit, string Output, string Error)> Queue(params string[] args) => CommandLineRun.RunAsync(["queue", .. args, "--config", cli]);
        async Task<string> NextAttemptedAsync() => (await probe.NextAttemptAsync()).MessageId;

        var first = await QueuedDeliveryTests.QueueAsync(rig, "Subject: first\r\n\r\nbody", Far);
        Assert.Equal(first, await NextAttemptedAsync());
        var second = await QueuedDeliveryTests.QueueAsync(rig, "Subject: second\r\n\r\nbody", Far);
        Assert.Equal(second, await NextAttemptedAsync());

        var (exit, output, _) = await Queue("list");
        Assert.Equal(0, exit);
        Assert.Matches($@"^{first} +app +office +{Regex.Escape(rig.Mailbox)} +{Regex.Escape(Far)} +\d+ +0s +1 +in \d+s +451 4\.4\.0 ", Row(output, first));
        Assert.NotNull(Row(output, second));

        (exit, output, _) = await Queue("show", first);
        Assert.Equal(0, exit);
        Assert.Equal(("deferred", "app", "office", rig.Mailbox, Far, "1"), (Field(output, "State"), Field(output, "Client"), Field(output, "Account"), Field(output, "Sender"), Field(output, "Pending"), Field(output, "Attempts")));
        Assert.StartsWith("451 4.4.0", Field(output, "Last reply"));

        // Held: not tried, however long it has been due, and not retried; released: tried as soon as it is due.
        var hold = await Queue("hold", first);
        Assert.Equal((0, $"Message {first} held."), (hold.Exit, hold.Output.Trim()));
        Assert.Matches(@" +1 +held +451", Row((await Queue("list")).Output, first));
        var refused = await Queue("retry", first);
        Assert.Equal(1, refused.Exit);
        Assert.Contains($"Message {first} is held", refused.Error);
        probe.AdvanceToRetry(time, first, second);
        Assert.Equal(second, await NextAttemptedAsync());
        Assert.Equal(0, (await Queue("release", first)).Exit);
        Assert.Equal(first, await NextAttemptedAsync());

        // Retried: tried at once, whatever their back-off (the clock does not move).
        (exit, output, _) = await Queue("retry", "--all");
        Assert.Equal((0, "2 message(s) due now."), (exit, output.Trim()));
        Assert.Equal(new[] { first, second }.Order(), new[] { await NextAttemptedAsync(), await NextAttemptedAsync() }.Order());
        Assert.Equal(0, (await Queue("retry", second)).Exit);
        Assert.Equal(second, await NextAttemptedAsync());

        (exit, output, _) = await Queue("delete", first);
        Assert.Equal((0, $"Message {first} moved to the dead letters."), (exit, output.Trim()));
        Assert.Null(probe.Manager.Find(first));
        Assert.Null(Row((await Queue("list")).Output, first));
        Assert.Contains("deleted by an operator", Row((await Queue("list", "--deadletter")).Output, first));
        (exit, output, _) = await Queue("show", first);
        Assert.Equal((0, "deadletter", "deleted by an operator"), (exit, Field(output, "State"), Field(output, "Dead letter")));
        var dead = await Queue("hold", first);
        Assert.Equal(1, dead.Exit);
        Assert.Contains("is in the dead letters (deleted by an operator)", dead.Error);
        var unknown = await Queue("show", "20990101T000000000-000000000000");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("No message 20990101T000000000-000000000000", unknown.Error);

        // A line per attempt and one for the end, each with the relay's id and the upstream's reply.
        Assert.Equal(3, rig.Relay.Logs.Count($"Message {first} client=app account=office attempt "));
        Assert.Equal(4, rig.Relay.Logs.Count($"Message {second} client=app account=office attempt "));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Message {first} client=app account=office attempt 1: 0 delivered, 0 refused, 1 pending; reply=\"451 4.4.0 "));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Message {first} client=app account=office deleted by an operator; last reply: 451 4.4.0 "));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Message {first} held by an operator"));
        Assert.Empty(rig.Office.Messages);
    }

    [Fact]
    public async Task Without_a_bearer_token_a_change_asked_for_by_a_page_of_another_site_is_refused_and_logged()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartAsync(time, s => s.Remove("Admin:BearerToken"));
        using var probe = new QueueProbe(rig.Relay);
        var id = await QueuedDeliveryTests.QueueAsync(rig, "Subject: kept\r\n\r\nbody", Far);
        Assert.Equal(DeliveryAttempt.Deferred, (await probe.NextAttemptAsync()).Result);

        // A form posted from a web page the operator's browser has open: no preflight, no credential needed.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(rig, HttpMethod.Delete, $"/queue/{id}", null, ("Origin", "https://attacker.example"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(rig, HttpMethod.Post, $"/queue/{id}/hold", null, ("Sec-Fetch-Site", "cross-site"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(rig, HttpMethod.Post, "/queue/retry", null, ("Origin", "null"))).Status);
        Assert.False(probe.Manager.Find(id)!.Held);
        Assert.Equal(3, rig.Relay.Logs.Count("Admin endpoint: refused "));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"refused DELETE /queue/{id} from a page of another site (Origin https://attacker.example)"));

        // The CLI and scripts send no Origin; a page of the admin endpoint's own origin may.
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(rig, HttpMethod.Post, $"/queue/{id}/hold", null)).Status);
        Assert.True(probe.Manager.Find(id)!.Held);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(rig, HttpMethod.Post, $"/queue/{id}/release", null, ("Origin", $"http://{AdminEndPoint(rig)}"), ("Sec-Fetch-Site", "same-origin"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(rig, HttpMethod.Get, "/queue", null, ("Origin", "https://attacker.example"))).Status); // reading changes nothing; CORS keeps the answer from the page
    }

    [Fact]
    public async Task A_retried_message_is_due_at_once_but_still_waits_for_its_mailboxs_rate()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartAsync(time, s => s["Upstream:MessagesPerMinute"] = "1");
        rig.Office.Clock = time;
        using var probe = new QueueProbe(rig.Relay);
        var cli = CliConfig(rig);

        var late = await QueuedDeliveryTests.QueueAsync(rig, "Subject: late\r\n\r\nbody", Far);
        Assert.Equal((late, DeliveryAttempt.Deferred), Of(await probe.NextAttemptAsync()));
        var sent = await QueuedDeliveryTests.QueueAsync(rig, "Subject: sent\r\n\r\nbody", Near); // the mailbox's one message this minute
        Assert.Equal((sent, DeliveryAttempt.Delivered), Of(await probe.NextAttemptAsync()));
        rig.Office.DeferredRecipients.Remove(Far);
        time.Advance(TimeSpan.FromSeconds(17)); // its back-off is at least 30 s
        time.ForgetArmedTimers();

        Assert.Equal(0, (await CommandLineRun.RunAsync("queue", "retry", late, "--config", cli)).Exit);

        // The queue now waits for the rest of the minute, not for the back-off; nothing went out meanwhile.
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(43));
        Assert.Single(rig.Office.Messages);
        time.Advance(TimeSpan.FromSeconds(43));
        Assert.Equal((late, DeliveryAttempt.Delivered), Of(await probe.NextAttemptAsync()));
        var arrivals = rig.Office.Messages.Select(m => m.At).ToList();
        Assert.True(arrivals[1] - arrivals[0] >= TimeSpan.FromMinutes(1), $"arrived {arrivals[1] - arrivals[0]} apart");
    }

    [Fact]
    public async Task Status_and_metrics_show_the_queue_per_account_and_each_clients_delivery_mode()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartAsync(time);
        using var probe = new QueueProbe(rig.Relay);
        var held = await QueuedDeliveryTests.QueueAsync(rig, "Subject: held\r\n\r\nbody", Far);
        Assert.Equal(DeliveryAttempt.Deferred, (await probe.NextAttemptAsync()).Result);
        var waiting = await QueuedDeliveryTests.QueueAsync(rig, "Subject: waiting\r\n\r\nbody", Far);
        Assert.Equal(DeliveryAttempt.Deferred, (await probe.NextAttemptAsync()).Result);
        Assert.Equal(QueueChange.Done, await probe.Manager.HoldAsync(held, held: true));
        time.Advance(TimeSpan.FromSeconds(20)); // the first retry waits at least 30 s

        var (code, body) = await GetAsync(rig, "/status");
        Assert.Equal(HttpStatusCode.OK, code);
        using (var status = JsonDocument.Parse(body))
        {
            var modes = status.RootElement.GetProperty("clients").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("deliveryMode").GetString());
            Assert.Equal(("Queue", "PassThrough"), (modes["app"], modes["basic"]));
            var office = status.RootElement.GetProperty("queue").EnumerateArray().Single(q => q.GetProperty("account").GetString() == "office");
            Assert.Equal((0, 1, 1), (office.GetProperty("queued").GetInt32(), office.GetProperty("deferred").GetInt32(), office.GetProperty("held").GetInt32()));
            Assert.Equal(20, office.GetProperty("oldestAgeSeconds").GetDouble()); // a held message is no delivery problem
            Assert.Equal(probe.Manager.Entries().Sum(e => e.Envelope.Size), office.GetProperty("bytes").GetInt64());
        }

        var samples = PrometheusText.Parse((await GetAsync(rig, "/metrics")).Body);
        Assert.Equal((0, 1, 1), (samples["oauthrelay_queue_messages{account=\"office\",state=\"queued\"}"], samples["oauthrelay_queue_messages{account=\"office\",state=\"deferred\"}"], samples["oauthrelay_queue_messages{account=\"office\",state=\"held\"}"]));
        Assert.Equal(20, samples["oauthrelay_queue_oldest_age_seconds{account=\"office\"}"]);
        Assert.Equal((2, 0), (samples["oauthrelay_delivery_attempts_total{account=\"office\",result=\"deferred\"}"], samples["oauthrelay_delivery_attempts_total{account=\"office\",result=\"delivered\"}"]));

        var cliStatus = await CommandLineRun.RunAsync("status", "--config", CliConfig(rig));
        Assert.Equal(0, cliStatus.Exit);
        Assert.Matches(@"(?m)^app +office +on +Queue\r?$", cliStatus.Output);
        Assert.Matches(@"(?m)^office +0 +1 +1 +\d+ +20s +-\r?$", cliStatus.Output);

        rig.Office.DeferredRecipients.Remove(Far);
        Assert.Equal(QueueChange.Done, await probe.Manager.RetryAsync(waiting));
        Assert.Equal(DeliveryAttempt.Delivered, (await probe.NextAttemptAsync()).Result);
        samples = PrometheusText.Parse((await GetAsync(rig, "/metrics")).Body);
        Assert.Equal((0, 1), (samples["oauthrelay_queue_messages{account=\"office\",state=\"deferred\"}"], samples["oauthrelay_queue_messages{account=\"office\",state=\"held\"}"]));
        Assert.Equal(0, samples["oauthrelay_queue_oldest_age_seconds{account=\"office\"}"]);
        Assert.Equal(1, samples["oauthrelay_delivery_attempts_total{account=\"office\",result=\"delivered\"}"]);
    }

    [Fact]
    public async Task Health_warns_while_the_oldest_message_waits_longer_than_WarnAge_and_readyz_stays_ready()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartAsync(time, s => s["Queue:WarnAge"] = "00:10:00");
        using var probe = new QueueProbe(rig.Relay);
        async Task<(HttpStatusCode Code, string Status, string Warnings)> HealthAsync()
        {
            var (code, body) = await GetAsync(rig, "/health");
            using var health = JsonDocument.Parse(body);
            return (code, health.RootElement.GetProperty("status").GetString()!, string.Join("\n", health.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString())));
        }

        var id = await QueuedDeliveryTests.QueueAsync(rig, "Subject: slow\r\n\r\nbody", Far);
        Assert.Equal(DeliveryAttempt.Deferred, (await probe.NextAttemptAsync()).Result);
        Assert.Equal((HttpStatusCode.OK, "Healthy", ""), await HealthAsync());

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(DeliveryAttempt.Deferred, (await probe.NextAttemptAsync()).Result); // its retry came meanwhile

        Assert.Equal(
            (HttpStatusCode.OK, "Degraded", "Queue: the oldest message of account office has waited 00:11:00, longer than Queue:WarnAge (00:10:00)"),
            await HealthAsync());
        Assert.Equal((HttpStatusCode.OK, "ready"), await GetAsync(rig, "/readyz"));

        // Held by an operator, it is no longer a delivery problem.
        Assert.Equal(QueueChange.Done, await probe.Manager.HoldAsync(id, held: true));
        Assert.Equal((HttpStatusCode.OK, "Healthy", ""), await HealthAsync());
    }
}
