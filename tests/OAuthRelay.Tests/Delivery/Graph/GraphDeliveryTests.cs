using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using OAuthRelay.Fakes;
using OAuthRelay.Observability;
using OAuthRelay.Queue;
using OAuthRelay.Spool;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Queue;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Delivery.Graph;

/// <summary>
/// Account "office" on Transport Graph, end to end over real sockets: MailKit as the legacy client, the relay, the fake
/// Microsoft Graph checking the fake Entra ID's tokens. Time is a fake clock wherever the relay waits.
/// </summary>
public sealed class GraphDeliveryTests
{
    private const string Recipient = "someone@example.test";

    private static SmtpClient LegacyClient() => new() { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };

    /// <summary>Sends <paramref name="message"/> as client "app" with MailKit to <paramref name="recipients"/> (default: the To header's); returns the relay's reply text.</summary>
    private static async Task<string> SendWithMailKitAsync(RelayRig rig, MimeMessage message, params string[] recipients)
    {
        using var client = LegacyClient();
        await client.ConnectAsync("127.0.0.1", rig.Relay.EndPoint().Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
        var reply = recipients.Length == 0
            ? await client.SendAsync(message)
            : await client.SendAsync(message, MailboxAddress.Parse(rig.Mailbox), recipients.Select(MailboxAddress.Parse));
        await client.DisconnectAsync(true);
        return reply;
    }

    private static MimeMessage Message(string from, string subject, MimeEntity body) => new([MailboxAddress.Parse(from)], [MailboxAddress.Parse(Recipient)], subject, body);

    private static byte[] Bytes(MimeMessage message)
    {
        using var bytes = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, bytes);
        return bytes.ToArray();
    }

    [Fact]
    public async Task A_100_KB_message_goes_through_sendMail_as_base64_mime_byte_for_byte()
    {
        await using var rig = await RelayRig.StartGraphAsync();
        var text = string.Concat(Enumerable.Range(0, 1750).Select(i => $"Line {i:D5} of the legacy report, with some padding text.\r\n"));
        var message = Message(rig.Mailbox, "Report", new TextPart("plain") { Text = text });
        var sent = Bytes(message);
        Assert.InRange(sent.Length, 90_000, 110_000);

        var reply = await SendWithMailKitAsync(rig, MimeMessage.Load(new MemoryStream(sent)));

        Assert.Contains("Accepted for processing by Microsoft Graph", reply);
        var received = Assert.Single(rig.Graph!.Messages);
        Assert.Equal(rig.Mailbox, received.Mailbox);
        Assert.Equal(SHA256.HashData(sent), SHA256.HashData(received.Mime!));
        Assert.Equal(["POST /v1.0/users/relay@contoso.test/sendMail 202"], rig.Graph.Requests.Select(r => $"{r.Method} {r.Path} {r.Status}"));
        foreach (var secret in rig.Entra.IssuedSecrets) Assert.DoesNotContain(secret, rig.Relay.Logs.All);
    }

    [Fact]
    public async Task A_recipient_only_in_the_envelope_is_added_as_a_bcc_header_and_nothing_else_changes()
    {
        await using var rig = await RelayRig.StartGraphAsync();
        var sent = Bytes(Message(rig.Mailbox, "Hidden copy", new TextPart("plain") { Text = "For the record.\r\n" }));

        await SendWithMailKitAsync(rig, MimeMessage.Load(new MemoryStream(sent)), Recipient, "hidden@example.test");

        var received = Assert.Single(rig.Graph!.Messages).Mime!;
        Assert.Equal([.. "Bcc: hidden@example.test\r\n"u8, .. sent], received);
    }

    [Theory]
    [InlineData("PassThrough", 0)]
    [InlineData("Queue", 100_000)] // a queue file, streamed from after its envelope line
    public async Task A_bcc_header_of_the_message_gives_way_to_one_for_the_envelope_and_nothing_else_changes(string mode, int padding)
    {
        await using var rig = await RelayRig.StartGraphAsync(s => s["Clients:app:DeliveryMode"] = mode);
        using var probe = new QueueProbe(rig.Relay);
        var before = $"From: {rig.Mailbox}\r\nTo: {Recipient}\r\n";
        var after = "Subject: Hidden copies\r\nX-Legacy-App: billing\r\n\r\nFor the record.\r\n" + string.Concat(Enumerable.Repeat("padding line\r\n", padding / 14));
        // Left by a legacy app that does not strip it: one envelope recipient, and one that is not in the envelope.
        const string bcc = "BCC: hidden@example.test,\r\n\tnot-in-the-envelope@example.test\r\n";
        await using var client = await rig.Relay.OpenAuthenticatedAsync();

        foreach (var command in new[] { $"MAIL FROM:<{rig.Mailbox}>", $"RCPT TO:<{Recipient}>", "RCPT TO:<hidden@example.test>", "RCPT TO:<list@example.test>" })
            Assert.Equal(250, (await client.CommandAsync(command)).Code);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        await client.SendRawAsync(before + bcc + after + ".\r\n");

        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        if (mode == "Queue") Assert.Equal(DeliveryAttempt.Delivered, (await probe.NextAttemptAsync()).Result);
        var received = Encoding.UTF8.GetString(Assert.Single(rig.Graph!.Messages).Mime!);
        Assert.Equal("Bcc: hidden@example.test,\r\n list@example.test\r\n" + before + after, received);
    }

    [Fact]
    public async Task A_20_MB_message_with_a_15_MB_pdf_and_an_inline_image_arrives_through_an_upload_session_with_every_attachment_identical()
    {
        await using var rig = await RelayRig.StartGraphAsync(s => s["Smtp:MaxMessageSize"] = (40 * 1024 * 1024).ToString());
        var pdf = RandomNumberGenerator.GetBytes(15 * 1024 * 1024);
        var image = RandomNumberGenerator.GetBytes(40 * 1024);
        var builder = new BodyBuilder { HtmlBody = "<p>The report, with our logo: <img src=\"cid:logo@relay.test\"></p>", TextBody = "The report." };
        var logo = builder.LinkedResources.Add("logo.png", image, new ContentType("image", "png"));
        logo.ContentId = "logo@relay.test";
        builder.Attachments.Add("report.pdf", pdf, new ContentType("application", "pdf"));
        var message = Message(rig.Mailbox, "Quarterly report", builder.ToMessageBody());
        message.Headers.Add("X-Legacy-App", "billing");
        message.Cc.Add(MailboxAddress.Parse("cc@example.test"));
        Assert.InRange(Bytes(message).Length, 20_000_000, 22_000_000);

        await SendWithMailKitAsync(rig, message, Recipient, "cc@example.test", "hidden@example.test");

        var received = Assert.Single(rig.Graph!.Messages);
        Assert.Null(received.Mime);
        var draft = received.Message!.Value;
        Assert.Equal("Quarterly report", draft.GetProperty("subject").GetString());
        Assert.Equal("html", draft.GetProperty("body").GetProperty("contentType").GetString());
        Assert.Contains("cid:logo@relay.test", draft.GetProperty("body").GetProperty("content").GetString());
        Assert.Equal([Recipient], Addresses(draft, "toRecipients"));
        Assert.Equal(["cc@example.test"], Addresses(draft, "ccRecipients"));
        Assert.Equal(["hidden@example.test"], Addresses(draft, "bccRecipients"));
        Assert.Equal("billing", draft.GetProperty("internetMessageHeaders").EnumerateArray().Single(h => h.GetProperty("name").GetString() == "X-Legacy-App").GetProperty("value").GetString());

        var report = Assert.Single(received.Attachments, a => a.Name == "report.pdf");
        Assert.True(report.Uploaded);
        Assert.Equal(SHA256.HashData(pdf), SHA256.HashData(report.Content));
        var inline = Assert.Single(received.Attachments, a => a.ContentId == "logo@relay.test");
        Assert.True(inline.IsInline);
        Assert.Equal(SHA256.HashData(image), SHA256.HashData(inline.Content));
        Assert.All(rig.Graph.Chunks.SkipLast(1), chunk => Assert.Equal(0, chunk % (320 * 1024)));
        Assert.Equal(pdf.Length, rig.Graph.Chunks.Sum());
        Assert.Empty(Directory.GetFiles(rig.Relay.Services.GetRequiredService<IOptions<SpoolOptions>>().Value.Directory)); // no decoded attachment left
    }

    [Fact]
    public async Task An_upload_chunk_whose_answer_was_lost_is_not_sent_again_the_upload_goes_on_where_graph_says()
    {
        await using var rig = await RelayRig.StartGraphAsync(s => s["Smtp:MaxMessageSize"] = (40 * 1024 * 1024).ToString());
        rig.Graph!.LoseAnswerToChunk = 0; // taken, but answered 503: the relay's retry of it hears 416
        var pdf = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);
        var builder = new BodyBuilder { TextBody = "The archive." };
        builder.Attachments.Add("archive.pdf", pdf, new ContentType("application", "pdf"));

        await SendWithMailKitAsync(rig, Message(rig.Mailbox, "Archive", builder.ToMessageBody()));

        var report = Assert.Single(Assert.Single(rig.Graph.Messages).Attachments);
        Assert.Equal(SHA256.HashData(pdf), SHA256.HashData(report.Content));
        Assert.Equal(pdf.Length, rig.Graph.Chunks.Sum()); // every byte went through once
        var uploads = rig.Graph.Requests.Where(r => r.Path.StartsWith("/upload/")).Select(r => $"{r.Method} {r.Status}");
        Assert.Equal(["PUT 503", "PUT 416", "GET 200", "PUT 200", "PUT 201"], uploads);
        Assert.Single(rig.Graph.Requests, r => r is { Method: "POST", Path: "/v1.0/users/relay@contoso.test/messages" }); // one draft
    }

    [Fact]
    public async Task An_upload_session_that_ended_defers_the_queued_message_and_says_nothing_against_the_accounts_access()
    {
        await using var rig = await RelayRig.StartGraphAsync(s =>
        {
            s["Smtp:MaxMessageSize"] = (40 * 1024 * 1024).ToString();
            s["Clients:app:DeliveryMode"] = "Queue";
        });
        rig.Graph!.UploadsExpire = true;
        using var probe = new QueueProbe(rig.Relay);
        var builder = new BodyBuilder { TextBody = "The archive." };
        builder.Attachments.Add("archive.pdf", RandomNumberGenerator.GetBytes(4 * 1024 * 1024), new ContentType("application", "pdf"));

        await SendWithMailKitAsync(rig, Message(rig.Mailbox, "Archive", builder.ToMessageBody()));

        var attempt = await probe.NextAttemptAsync();
        Assert.Equal(DeliveryAttempt.Deferred, attempt.Result);
        Assert.StartsWith("451 4.4.1", attempt.Reply);
        Assert.Equal(OAuthRelay.Tokens.Health.TokenHealthState.Healthy, rig.Relay.Services.GetRequiredService<OAuthRelay.Tokens.TokenService>().Health("office").State);
        Assert.Equal(1, rig.Graph.DeletedDrafts); // the half-made draft does not stay
    }

    private static string[] Addresses(JsonElement draft, string property) =>
        draft.GetProperty(property).EnumerateArray().Select(r => r.GetProperty("emailAddress").GetProperty("address").GetString()!).ToArray();

    [Fact]
    public async Task A_429_with_retry_after_defers_the_queued_message_and_pauses_the_mailbox_exactly_that_long()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await RelayRig.StartGraphAsync(s =>
        {
            s["Relay:DeliveryMode"] = "Queue";
            s["Clients:basic:DeliveryMode"] = "PassThrough"; // its own password cannot be kept for later
        }, time);
        rig.Graph!.Clock = time;
        rig.Graph.FailNext(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", retryAfterSeconds: 37);
        using var probe = new QueueProbe(rig.Relay);

        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, Recipient, $"To: {Recipient}\r\nSubject: throttled\r\n\r\nbody")).Code);

        var first = await probe.NextAttemptAsync();
        Assert.Equal(DeliveryAttempt.Deferred, first.Result);
        Assert.StartsWith("452 4.3.2 Microsoft Graph is throttling this mailbox, try again in 37 s", first.Reply);
        var throttledAt = Assert.Single(rig.Graph.Requests).At;
        Assert.Equal(throttledAt + TimeSpan.FromSeconds(37), probe.Manager.Find(first.MessageId)!.NextAttempt);
        Assert.Equal(throttledAt + TimeSpan.FromSeconds(37), Assert.Single(probe.Manager.PausedMailboxes()).Value);

        probe.AdvanceToRetry(time, first.MessageId);

        Assert.Equal(DeliveryAttempt.Delivered, (await probe.NextAttemptAsync()).Result);
        Assert.Single(rig.Graph.Messages);
        Assert.Equal(TimeSpan.FromSeconds(37), rig.Graph.Requests.Last().At - throttledAt);
    }

    [Fact]
    public async Task Without_mail_send_the_client_gets_454_4_7_0_and_status_names_the_missing_permission()
    {
        await using var rig = await RelayRig.StartGraphAsync(s =>
        {
            s["Admin:Port"] = "0";
            s["Accounts:office:Flow"] = "App";
        }, prepareEntra: entra => entra.AppRoles[FakeGraph.Audience].Remove("Mail.Send"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}") };

        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal((454, "4.7.0"), (await client.SendMessageAsync(rig.Mailbox, Recipient, $"To: {Recipient}\r\nSubject: no permission\r\n\r\nbody")).Status);

        Assert.Empty(rig.Graph!.Messages);
        Assert.Equal(2, rig.Graph.Requests.Count(r => r.Status == 403)); // a fresh token is tried once
        var account = (await http.GetFromJsonAsync<JsonElement>("/status")).GetProperty("accounts").EnumerateArray().Single();
        Assert.Equal("Unauthorized", account.GetProperty("state").GetString());
        Assert.Equal("missing_permission", account.GetProperty("errorCode").GetString());
        Assert.Contains("application permission Mail.Send", account.GetProperty("action").GetString());
    }

    [Theory]
    [InlineData(503, "ServiceUnavailable", 451, "4.4.1")]
    [InlineData(504, "GatewayTimeout", 451, "4.4.1")]
    [InlineData(413, "ErrorMessageSizeExceeded", 552, "5.3.4")]
    [InlineData(400, "ErrorMimeContentInvalid", 554, "5.6.0")]
    public async Task Graph_failures_become_the_client_replies_of_their_kind(int status, string code, int reply, string enhanced)
    {
        await using var rig = await RelayRig.StartGraphAsync();
        rig.Graph!.FailNext(status, code, $"Graph says {code}.");

        await using var client = await rig.Relay.OpenAuthenticatedAsync();
        var answer = await client.SendMessageAsync(rig.Mailbox, Recipient, $"To: {Recipient}\r\nSubject: {code}\r\n\r\nbody");

        Assert.Equal((reply, enhanced), answer.Status);
        Assert.Contains($"Graph says {code}.", answer.Text);
        Assert.Empty(rig.Graph.Messages);
        if (status == 504) Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains("it may still send the message"));
    }

    [Fact]
    public async Task A_mailbox_outside_the_apps_scope_is_refused_with_the_rbac_action()
    {
        await using var rig = await RelayRig.StartGraphAsync(s => s["Accounts:office:Flow"] = "App");
        rig.Graph!.AllowedMailboxes.Add("other@contoso.test");

        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal((454, "4.7.0"), (await client.SendMessageAsync(rig.Mailbox, Recipient, $"To: {Recipient}\r\nSubject: out of scope\r\n\r\nbody")).Status);

        var health = rig.Relay.Services.GetRequiredService<OAuthRelay.Tokens.TokenService>().Health("office");
        Assert.Equal("mailbox_not_allowed", health.ErrorCode);
        Assert.Contains("RBAC for Applications", health.Action);
        Assert.Contains(rig.Mailbox, health.Action);
    }
}
