using System.Security.Cryptography;
using System.Text;
using MimeKit;
using OAuthRelay.Queue;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Queue;

/// <summary>
/// Queue mode end to end over real sockets: the client hears 250 once the message is on disk, and the relay delivers it
/// to the fake Office 365 at the mailbox's pace, retrying, backing off and bouncing as Exchange's replies say. Time is
/// a fake clock wherever the relay waits.
/// </summary>
public sealed class QueuedDeliveryTests
{
    private const string Recipient = "someone@example.test";

    internal static Task<RelayRig> StartQueuedAsync(SignalingTimeProvider? time = null, Action<Dictionary<string, string?>>? adjust = null) =>
        RelayRig.StartAsync(s =>
        {
            s["Relay:DeliveryMode"] = "Queue";
            s["Clients:basic:DeliveryMode"] = "PassThrough"; // its own password cannot be kept for later
            adjust?.Invoke(s);
        }, time: time);

    /// <summary>Sends one message as client "app"; returns the queue id from the 250.</summary>
    internal static async Task<string> QueueAsync(RelayRig rig, string content, params string[] recipients)
    {
        await using var client = await rig.Relay.OpenAuthenticatedAsync();
        return await QueueAsync(client, rig.Mailbox, content, recipients);
    }

    private static async Task<string> QueueAsync(RawSmtpClient client, string sender, string content, params string[] recipients)
    {
        var reply = await client.SendMessageAsync(sender, recipients.Length == 0 ? [Recipient] : recipients, content);
        Assert.Equal((250, "2.0.0"), reply.Status);
        Assert.StartsWith("2.0.0 OK queued as ", reply.Text);
        return reply.Text.Split(' ')[^1];
    }

    [Fact]
    public async Task A_queued_message_is_delivered_byte_for_byte_over_xoauth2_and_leaves_the_queue()
    {
        await using var rig = await StartQueuedAsync();
        using var probe = new QueueProbe(rig.Relay);
        const string onTheWire = "Subject: queued\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus der Warteschlange.\r\n..a line that starts with a dot";
        const string content = "Subject: queued\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus der Warteschlange.\r\n.a line that starts with a dot\r\n";

        var id = await QueueAsync(rig, onTheWire);

        Assert.Equal(DeliveryAttempt.Delivered, (await probe.NextAttemptAsync()).Result);
        var received = Assert.Single(rig.Office.Messages);
        Assert.Equal(("XOAUTH2", rig.Mailbox, rig.Mailbox), (received.Mechanism, received.AuthenticatedAs, received.From));
        Assert.Equal([Recipient], received.To);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(content)), SHA256.HashData(received.Content));
        Assert.Empty(Directory.GetFiles(Path.Combine(rig.Relay.QueueFolder, "messages")));
        Assert.Null(probe.Manager.Find(id));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Message {id} accepted client=app account=office mode=Queue"));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Message {id} client=app account=office delivered: 250 2.0.0 OK"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_queue_file_is_private_and_holds_the_envelope_and_the_exact_bytes_until_delivery()
    {
        await using var rig = await StartQueuedAsync(adjust: s => s["Upstream:Port"] = "9"); // nothing listens: it stays queued
        using var probe = new QueueProbe(rig.Relay);

        var id = await QueueAsync(rig, "Subject: kept\r\n\r\nbody");

        Assert.Equal(DeliveryAttempt.Deferred, (await probe.NextAttemptAsync()).Result);
        var file = Path.Combine(rig.Relay.QueueFolder, "messages", id + ".msg");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(rig.Relay.QueueFolder));
        var lines = File.ReadAllText(file).Split('\n', 2);
        Assert.Contains($"\"id\":\"{id}\"", lines[0]);
        Assert.Contains($"\"recipients\":[\"{Recipient}\"]", lines[0]);
        Assert.Equal("Subject: kept\r\n\r\nbody\r\n", lines[1]);
        var entry = probe.Manager.Find(id)!;
        Assert.Equal((1, 23L), (entry.Attempts, entry.Envelope.Size));
        Assert.StartsWith("451 4.4.1", entry.LastReply);
    }

    [Fact]
    public async Task A_hundred_messages_for_one_mailbox_reach_office_365_at_most_30_a_minute_on_at_most_3_connections()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartQueuedAsync(time);
        rig.Office.Clock = time;
        using var probe = new QueueProbe(rig.Relay);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async c =>
        {
            await using var client = await rig.Relay.OpenAuthenticatedAsync();
            for (var m = 0; m < 25; m++)
                Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, Recipient, $"Subject: client {c} message {m}\r\n\r\nbody")).Code);
        }));

        // Each minute lets the next 30 through; the clock moves only once the relay has recorded them as delivered (it
        // counts a message's minute from when it saw Exchange take it).
        var recorded = 0;
        foreach (var delivered in new[] { 30, 60, 90, 100 })
        {
            while (recorded < delivered)
                if ((await probe.NextAttemptAsync()).Result == DeliveryAttempt.Delivered) recorded++;
            if (delivered < 100) time.Advance(TimeSpan.FromMinutes(1));
        }

        var arrivals = rig.Office.Messages.Select(m => m.At).Order().ToList();
        Assert.Equal(100, arrivals.Count);
        Assert.Equal(100, rig.Office.Messages.Select(m => Encoding.UTF8.GetString(m.Content)).Distinct().Count());
        Assert.All(arrivals, start => Assert.InRange(arrivals.Count(a => a >= start && a < start + TimeSpan.FromMinutes(1)), 1, 30));
        Assert.InRange(rig.Office.MaxConcurrentConnections(rig.Mailbox), 1, 3);
    }

    [Fact]
    public async Task Messages_of_two_clients_for_one_mailbox_go_in_turn_between_the_clients_not_oldest_first()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartQueuedAsync(time, s =>
        {
            s["Upstream:MessagesPerMinute"] = "1";
            s["Clients:other:UserName"] = "other@contoso.test";
            s["Clients:other:PasswordHash"] = OAuthRelay.Clients.PasswordHasher.Hash("other-password-5", OAuthRelay.Clients.PasswordHasher.MinimumIterations);
            s["Clients:other:Account"] = "office";
        });
        using var probe = new QueueProbe(rig.Relay);
        async Task<string> QueueAsOtherAsync(string subject)
        {
            await using var client = await rig.Relay.OpenAsync();
            Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
            Assert.Equal(235, (await client.CommandAsync($"AUTH PLAIN {Convert.ToBase64String(Encoding.UTF8.GetBytes("\0other@contoso.test\0other-password-5"))}")).Code);
            return await QueueAsync(client, rig.Mailbox, $"Subject: {subject}\r\n\r\nbody");
        }

        // The first goes at once and uses the minute; the others queue up behind it, app's three before other's two.
        var first = await QueueAsync(rig, "Subject: app 1\r\n\r\nbody");
        Assert.Equal((first, DeliveryAttempt.Delivered), ((await probe.NextAttemptAsync()).MessageId, DeliveryAttempt.Delivered));
        string[] app = [await QueueAsync(rig, "Subject: app 2\r\n\r\nbody"), await QueueAsync(rig, "Subject: app 3\r\n\r\nbody")];
        string[] other = [await QueueAsOtherAsync("other 1"), await QueueAsOtherAsync("other 2")];
        var order = new List<string>();
        while (order.Count < 4)
        {
            probe.AdvanceToRetry(time, [.. app.Concat(other).Except(order)]);
            var attempt = await probe.NextAttemptAsync();
            Assert.Equal(DeliveryAttempt.Delivered, attempt.Result);
            order.Add(attempt.MessageId);
        }

        Assert.Equal([other[0], app[0], other[1], app[1]], order);
    }

    [Fact]
    public async Task Three_432_sender_thread_limits_back_off_the_whole_mailbox_then_the_message_is_delivered_once()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartQueuedAsync(time);
        rig.Office.Clock = time;
        var refusals = 3;
        rig.Office.Verdict = _ => Interlocked.Decrement(ref refusals) >= 0 ? "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded" : null;
        using var probe = new QueueProbe(rig.Relay);

        var first = await QueueAsync(rig, "Subject: first\r\n\r\nbody");
        Assert.Equal(DeliveryAttempt.Deferred, (await probe.NextAttemptAsync()).Result);
        var pausedUntil = Assert.Single(probe.Manager.PausedMailboxes()).Value;
        Assert.True(pausedUntil >= time.GetUtcNow() + TimeSpan.FromMinutes(1), "the mailbox waits at least a minute");
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Mailbox {rig.Mailbox} paused until") && l.Contains("432 4.3.2"));

        // Queued while the mailbox is paused: not tried before the pause ends.
        var second = await QueueAsync(rig, "Subject: second\r\n\r\nbody");
        probe.AdvanceToRetry(time, first);
        var settled = await probe.UntilSettledAsync(time, 2);

        Assert.Equal([DeliveryAttempt.Delivered, DeliveryAttempt.Delivered], settled.Select(a => a.Result));
        Assert.Equal(new[] { first, second }.Order(), settled.Select(a => a.MessageId).Order());
        Assert.Equal(3, rig.Office.Attempts.Count(a => a.Reply.StartsWith("432")));
        Assert.Equal(1, rig.Office.Messages.Count(m => Encoding.UTF8.GetString(m.Content).Contains("Subject: first")));
        Assert.Equal(1, rig.Office.Messages.Count(m => Encoding.UTF8.GetString(m.Content).Contains("Subject: second")));
        var secondTried = rig.Office.Attempts.First(a => Encoding.UTF8.GetString(a.Message.Content).Contains("Subject: second")).Message.At;
        Assert.True(secondTried >= pausedUntil, $"the second message was tried at {secondTried:O}, before the pause ended at {pausedUntil:O}");
    }

    [Fact]
    public async Task With_the_token_endpoint_down_for_ten_minutes_a_queued_message_waits_and_is_delivered_after_it_returns()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartQueuedAsync(time);
        using var probe = new QueueProbe(rig.Relay);

        // Mail flows; then Entra ID goes down and the access token runs out: nothing can be sent, but the client hears 250.
        await QueueAsync(rig, "Subject: before the outage\r\n\r\nbody");
        Assert.Equal(DeliveryAttempt.Delivered, (await probe.NextAttemptAsync()).Result);
        rig.Entra.Failure = (503, "temporarily_unavailable", 0);
        time.Advance(TimeSpan.FromMinutes(60));
        var id = await QueueAsync(rig, "Subject: during the outage\r\n\r\nbody");
        var outageEnds = time.GetUtcNow() + TimeSpan.FromMinutes(10);
        var attempts = 0;
        while (time.GetUtcNow() < outageEnds)
        {
            var attempt = await probe.NextAttemptAsync();
            Assert.Equal((id, DeliveryAttempt.Deferred), (attempt.MessageId, attempt.Result));
            Assert.StartsWith("454 4.7.0", attempt.Reply);
            attempts++;
            probe.AdvanceToRetry(time, id);
        }

        rig.Entra.Failure = null;

        Assert.Equal(DeliveryAttempt.Delivered, Assert.Single(await probe.UntilSettledAsync(time, 1)).Result);
        Assert.InRange(attempts, 4, 5); // retries back off: 1, 2, 4, 8 minutes (each a random half to whole)
        Assert.Equal(2, rig.Office.Messages.Count);
        Assert.DoesNotContain(rig.Office.Attempts, a => a.Reply[0] != '2');
    }

    [Fact]
    public async Task A_550_5_7_60_bounces_a_delivery_status_notification_to_the_sender_and_dead_letters_the_message()
    {
        await using var rig = await StartQueuedAsync();
        rig.Office.Verdict = m => m.To.Contains(Recipient) ? "550 5.7.60 SMTP; Client does not have permissions to send as this sender" : null;
        using var probe = new QueueProbe(rig.Relay);

        var id = await QueueAsync(rig, "Subject: not allowed\r\nMessage-ID: <original@contoso.test>\r\n\r\nbody");

        var settled = await probe.UntilSettledAsync(null, 2);
        Assert.Contains(settled, a => a.MessageId == id && a.Result == DeliveryAttempt.Bounced);
        Assert.Contains(settled, a => a.MessageId != id && a.Result == DeliveryAttempt.Delivered); // the notification
        var bounce = Assert.Single(rig.Office.Messages);
        Assert.Equal((rig.Mailbox, rig.Mailbox), (bounce.From, Assert.Single(bounce.To)));
        var report = MimeMessage.Load(new MemoryStream(bounce.Content));
        Assert.Equal("auto-replied", report.Headers["Auto-Submitted"]);
        var body = Assert.IsType<MultipartReport>(report.Body);
        var status = Assert.IsType<MessageDeliveryStatus>(body[1]);
        Assert.Equal("5.7.60", status.StatusGroups[1]["Status"]);
        Assert.Equal($"rfc822; {Recipient}", status.StatusGroups[1]["Final-Recipient"]);
        Assert.Contains("Client does not have permissions", status.StatusGroups[1]["Diagnostic-Code"]);
        Assert.Equal("original@contoso.test", Assert.IsType<TextRfc822Headers>(body[2]).Message?.MessageId);

        var dead = Assert.Single(probe.Manager.DeadLetters());
        Assert.Equal(id, dead.Id);
        Assert.Contains("550 5.7.60", dead.DeadLetterReason);
        Assert.True(File.Exists(Path.Combine(rig.Relay.QueueFolder, "deadletter", id + ".msg")));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Message {id} client=app account=office bounced:"));
    }

    [Fact]
    public async Task Mixed_recipient_verdicts_deliver_to_the_accepted_and_bounce_only_the_refused()
    {
        await using var rig = await StartQueuedAsync();
        rig.Office.UnknownRecipients.Add("nobody@example.test");
        using var probe = new QueueProbe(rig.Relay);

        var id = await QueueAsync(rig, "Subject: mixed\r\n\r\nbody", Recipient, "nobody@example.test", "other@example.test");

        var settled = await probe.UntilSettledAsync(null, 2);
        Assert.Contains(settled, a => a.MessageId == id && a.Result == DeliveryAttempt.Bounced);
        Assert.Contains(settled, a => a.MessageId != id && a.Result == DeliveryAttempt.Delivered);
        var delivered = rig.Office.Messages.Single(m => m.To.Contains(Recipient));
        Assert.Equal([Recipient, "other@example.test"], delivered.To);
        var bounce = rig.Office.Messages.Single(m => m != delivered);
        var status = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(MimeMessage.Load(new MemoryStream(bounce.Content)).Body)[1]);
        var failed = Assert.Single(status.StatusGroups, g => g.Contains("Final-Recipient"));
        Assert.Equal(("rfc822; nobody@example.test", "5.1.10"), (failed["Final-Recipient"], failed["Status"]));
        Assert.Contains("nobody@example.test", Assert.Single(probe.Manager.DeadLetters()).DeadLetterReason);
        Assert.Equal(id, probe.Manager.DeadLetters()[0].Id);
    }

    [Fact]
    public async Task A_message_still_undeliverable_when_its_lifetime_ends_expires_with_a_notification()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartQueuedAsync(time, s => s["Queue:MaxQueueLifetime"] = "00:10:00");
        rig.Office.DeferredRecipients.Add("far@example.test");
        using var probe = new QueueProbe(rig.Relay);

        var id = await QueueAsync(rig, "Subject: far away\r\n\r\nbody", "far@example.test");

        var settled = await probe.UntilSettledAsync(time, 2);
        Assert.Contains(settled, a => a.MessageId == id && a.Result == DeliveryAttempt.Expired);
        Assert.Contains(settled, a => a.MessageId != id && a.Result == DeliveryAttempt.Delivered);
        Assert.True(time.GetUtcNow() - probe.Manager.DeadLetters()[0].Envelope.Received >= TimeSpan.FromMinutes(10), "tried until its lifetime ran out");
        var report = MimeMessage.Load(new MemoryStream(Assert.Single(rig.Office.Messages).Content));
        Assert.Equal("Delivery time expired: message not delivered", report.Subject);
        var failed = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(report.Body)[1]).StatusGroups[1];
        Assert.Equal(("rfc822; far@example.test", "4.4.7"), (failed["Final-Recipient"], failed["Status"]));
        Assert.Contains("451 4.4.0", failed["Diagnostic-Code"]);
        Assert.Contains("expired", Assert.Single(probe.Manager.DeadLetters()).DeadLetterReason);
    }

    [Fact]
    public async Task A_notification_that_cannot_be_delivered_is_not_bounced_again()
    {
        await using var rig = await StartQueuedAsync();
        rig.Office.Verdict = _ => "550 5.7.60 SMTP; Client does not have permissions to send as this sender";
        using var probe = new QueueProbe(rig.Relay);

        await QueueAsync(rig, "Subject: refused\r\n\r\nbody");

        Assert.Equal([DeliveryAttempt.Bounced, DeliveryAttempt.Bounced], (await probe.UntilSettledAsync(null, 2)).Select(a => a.Result)); // the notification too
        Assert.Equal(2, probe.Manager.DeadLetters().Count);
        Assert.Empty(probe.Manager.Entries());
        Assert.Equal(2, rig.Office.Attempts.Count);
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains("bounce failed (not bounced again)"));
    }

    [Fact]
    public async Task On_shutdown_a_delivery_under_way_finishes_and_a_waiting_message_stays_queued()
    {
        await using var rig = await StartQueuedAsync(adjust: s => s["Upstream:MaxConnectionsPerMailbox"] = "1");
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Office.BeforeAcknowledging = async _ =>
        {
            taken.TrySetResult();
            await release.Task;
        };
        var underWay = await QueueAsync(rig, "Subject: under way\r\n\r\nbody");
        await taken.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = await QueueAsync(rig, "Subject: waiting\r\n\r\nbody"); // the mailbox's one connection is busy

        var stopping = rig.Relay.StopAsync();
        release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("Subject: under way", Encoding.UTF8.GetString(Assert.Single(rig.Office.Messages).Content));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"Message {underWay} client=app account=office delivered"));
        Assert.Equal([waiting + ".msg"], Directory.GetFiles(Path.Combine(rig.Relay.QueueFolder, "messages")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("Queue:MaxQueueSize", "100")]
    [InlineData("Queue:MinFreeDiskSpace", "1000000000000000")]
    public async Task Beyond_the_queue_size_or_the_disk_floor_a_message_gets_452_4_3_1_and_nothing_is_kept(string setting, string value)
    {
        await using var rig = await StartQueuedAsync(adjust: s => s[setting] = value);
        await using var client = await rig.Relay.OpenAuthenticatedAsync();

        var reply = await client.SendMessageOrFirstRefusalAsync(rig.Mailbox, Recipient, "Subject: too much\r\n\r\n" + new string('x', 200));

        Assert.Equal((452, "4.3.1"), reply.Status);
        Assert.Empty(Directory.GetFiles(rig.Relay.QueueFolder, "*.msg", SearchOption.AllDirectories));
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains("not queued") || l.Contains("refused for now at MAIL"));
        Assert.Empty(rig.Office.Attempts);
    }
}
