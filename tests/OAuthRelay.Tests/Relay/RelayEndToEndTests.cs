using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Cryptography;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Relay;

/// <summary>A legacy client through the relay to the fake Office 365, over real sockets end to end.</summary>
public sealed class RelayEndToEndTests
{
    private static SmtpClient LegacyClient() => new() { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };

    private static byte[] Message(string from, string subject, string body = "Hello from the legacy app.\r\n")
    {
        var message = new MimeMessage([MailboxAddress.Parse(from)], [MailboxAddress.Parse("someone@example.test")], subject, new TextPart("plain") { Text = body, ContentTransferEncoding = ContentEncoding.EightBit });
        using var bytes = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, bytes);
        return bytes.ToArray();
    }

    private static async Task SendWithMailKitAsync(RelayRig rig, byte[] message, string user = RelayTestHost.UserName, string password = RelayTestHost.Password)
    {
        using var client = LegacyClient();
        await client.ConnectAsync("127.0.0.1", rig.Relay.EndPoint().Port, SecureSocketOptions.StartTls);
        client.AuthenticationMechanisms.RemoveWhere(m => m != "LOGIN"); // what AEM's JavaMail does
        await client.AuthenticateAsync(user, password);
        await client.SendAsync(MimeMessage.Load(new MemoryStream(message)));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_legacy_client_with_auth_login_reaches_office_365_over_xoauth2_byte_for_byte()
    {
        await using var rig = await RelayRig.StartAsync();
        var message = Message(rig.Mailbox, "Invoice 42", "Grüße — 8-bit body.\r\n");

        await SendWithMailKitAsync(rig, message);

        var received = Assert.Single(rig.Office.Messages);
        Assert.Equal(("XOAUTH2", rig.Mailbox), (received.Mechanism, received.AuthenticatedAs));
        Assert.Equal(rig.Mailbox, received.From);
        Assert.Equal(["someone@example.test"], received.To);
        Assert.Equal(SHA256.HashData(message), SHA256.HashData(received.Content));
        Assert.Single(rig.Relay.Logs.Lines, l => l.Contains("client=app account=office") && l.Contains("recipients=1") && l.Contains("reply=\"250 2.0.0"));
        rig.Relay.Logs.Lines.ToList().ForEach(line => Assert.DoesNotContain(RelayTestHost.Password, line));
        foreach (var secret in rig.Entra.IssuedSecrets) Assert.DoesNotContain(secret, rig.Relay.Logs.All);
    }

    [Fact]
    public async Task A_dkim_signed_message_reaches_the_upstream_unchanged()
    {
        await using var rig = await RelayRig.StartAsync();
        var message = MimeMessage.Load(new MemoryStream(Message(rig.Mailbox, "Signed")));
        using var key = RSA.Create(2048);
        var signer = new DkimSigner(new MemoryStream(Encoding.ASCII.GetBytes(key.ExportRSAPrivateKeyPem())), "contoso.test", "relay")
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Simple,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Simple,
        };
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
        using var signed = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, signed);

        await using var client = await rig.Relay.OpenAuthenticatedAsync();
        await client.CommandAsync($"MAIL FROM:<{rig.Mailbox}>");
        await client.CommandAsync("RCPT TO:<someone@example.test>");
        await client.CommandAsync("DATA");
        await client.SendRawAsync(Encoding.UTF8.GetString(signed.ToArray()).Replace("\r\n.", "\r\n..") + ".\r\n");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);

        var received = Assert.Single(rig.Office.Messages);
        Assert.Equal(signed.ToArray(), received.Content);
        Assert.StartsWith("DKIM-Signature:", Encoding.UTF8.GetString(received.Content));
    }

    [Fact]
    public async Task A_client_with_oauth_off_goes_upstream_with_its_own_credentials()
    {
        await using var rig = await RelayRig.StartAsync();
        await SendWithMailKitAsync(rig, Message(RelayRig.BasicUser, "basic"), RelayRig.BasicUser, RelayRig.BasicPassword);

        var received = Assert.Single(rig.Office.Messages);
        Assert.Equal(("LOGIN", RelayRig.BasicUser), (received.Mechanism, received.AuthenticatedAs));
    }

    [Fact]
    public async Task A_sender_outside_the_allow_list_gets_550_5_7_1_and_nothing_goes_upstream()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await rig.Relay.OpenAuthenticatedAsync();

        var reply = await client.CommandAsync("MAIL FROM:<ceo@contoso.test>");
        Assert.Equal((550, "5.7.1"), reply.Status);
        Assert.Equal(0, rig.Office.Connections);
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains("may not send as ceo@contoso.test"));
    }

    [Fact]
    public async Task A_recipient_the_upstream_refuses_refuses_the_whole_message_and_nothing_is_sent()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.UnknownRecipients.Add("nobody@example.test");
        await using var client = await rig.Relay.OpenAuthenticatedAsync();
        Assert.Equal(250, (await client.CommandAsync($"MAIL FROM:<{rig.Mailbox}>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<someone@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<nobody@example.test>")).Code); // local policy only
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        await client.SendRawAsync("Subject: partial\r\n\r\nhi\r\n.\r\n");

        Assert.Equal((550, "5.1.10"), (await client.ReadReplyAsync()).Status);
        Assert.Empty(rig.Office.Messages);
    }

    [Fact]
    public async Task Slow_clients_in_data_hold_no_upstream_connection_so_a_fast_one_is_delivered_at_once()
    {
        await using var rig = await RelayRig.StartAsync();
        var slow = new List<RawSmtpClient>();
        for (var i = 0; i < 3; i++) // as many as the mailbox's connection limit
        {
            var client = await rig.Relay.OpenAuthenticatedAsync();
            Assert.Equal(250, (await client.CommandAsync($"MAIL FROM:<{rig.Mailbox}>")).Code);
            Assert.Equal(250, (await client.CommandAsync("RCPT TO:<someone@example.test>")).Code);
            Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
            await client.SendRawAsync($"Subject: slow {i}\r\n\r\nthe first half\r\n");
            slow.Add(client);
        }

        await using (var fast = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(250, (await fast.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: fast\r\n\r\nbody")).Code);

        Assert.StartsWith("Subject: fast", Encoding.UTF8.GetString(Assert.Single(rig.Office.Messages).Content));
        Assert.Equal(1, rig.Office.Connections);
        foreach (var client in slow)
        {
            await client.SendRawAsync("the second half\r\n.\r\n");
            Assert.Equal(250, (await client.ReadReplyAsync()).Code);
            await client.DisposeAsync();
        }

        Assert.Equal(4, rig.Office.Messages.Count);
    }

    [Theory]
    [InlineData("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", 432, "4.3.2")]
    [InlineData("550 5.7.60 SMTP; Client does not have permissions to send as this sender", 550, "5.7.60")]
    [InlineData("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", 554, "5.2.0")]
    public async Task Upstream_verdicts_at_the_end_of_data_are_passed_to_the_client(string upstreamReply, int code, string status)
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.Verdict = _ => upstreamReply;
        await using var client = await rig.Relay.OpenAuthenticatedAsync();

        var reply = await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: refused\r\n\r\nbody");
        Assert.Equal((code, status), reply.Status);
        Assert.Contains(upstreamReply[10..], reply.Text);
        Assert.Empty(rig.Office.Messages);
    }

    [Fact]
    public async Task A_535_on_xoauth2_refreshes_the_token_once_then_answers_454_never_535()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.XOAuth2Reply = "535 5.7.3 Authentication unsuccessful [FAKE]";
        var tokenRequests = rig.Entra.TokenRequests;
        await using var client = await rig.Relay.OpenAuthenticatedAsync();

        var reply = await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: refused\r\n\r\nbody");
        Assert.Equal((454, "4.7.0"), reply.Status);
        Assert.Equal(tokenRequests + 1, rig.Entra.TokenRequests); // one forced refresh, then the retry
        Assert.Equal(1, rig.Office.Connections); // the retry uses the same connection
    }

    [Fact]
    public async Task A_connection_dropped_mid_data_is_451_4_4_1_and_nothing_is_reported_accepted()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.DropAfterDataBytes = 100;
        await using var client = await rig.Relay.OpenAuthenticatedAsync();

        var reply = await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: long\r\n\r\n" + string.Concat(Enumerable.Repeat("line of text\r\n", 100)));
        Assert.Equal((451, "4.4.1"), reply.Status);
        Assert.Empty(rig.Office.Messages);
    }

    [Fact]
    public async Task The_upstream_unreachable_means_451_4_4_1()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Upstream:Port"] = "9"); // discard port: nothing listens
        await using var client = await rig.Relay.OpenAuthenticatedAsync();
        Assert.Equal((451, "4.4.1"), (await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: stuck\r\n\r\nbody")).Status);
    }

    [Fact]
    public async Task Twenty_clients_sending_five_messages_each_use_at_most_three_upstream_connections_and_one_token()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Upstream:MessagesPerMinute"] = "100"); // the connection limit alone
        var tokenRequests = rig.Entra.TokenRequests; // the import

        await Task.WhenAll(Enumerable.Range(0, 20).Select(async c =>
        {
            using var client = LegacyClient();
            await client.ConnectAsync("127.0.0.1", rig.Relay.EndPoint().Port, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
            for (var m = 0; m < 5; m++) await client.SendAsync(MimeMessage.Load(new MemoryStream(Message(rig.Mailbox, $"client {c} message {m}"))));
            await client.DisconnectAsync(true);
        }));

        Assert.Equal(100, rig.Office.Messages.Count);
        Assert.Equal(100, rig.Office.Messages.Select(m => Encoding.UTF8.GetString(m.Content)).Distinct().Count());
        Assert.InRange(rig.Office.MaxConcurrentConnections(rig.Mailbox), 1, 3);
        Assert.InRange(rig.Office.Connections, 1, 3);
        Assert.Equal(tokenRequests, rig.Entra.TokenRequests);
    }
}
