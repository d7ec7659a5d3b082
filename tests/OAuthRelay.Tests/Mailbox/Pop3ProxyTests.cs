using MailKit.Net.Pop3;
using MailKit.Security;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Mailbox;

/// <summary>MailKit's Pop3Client and scripted conversations through the relay's POP3 listeners to the fake Office 365 POP3 server.</summary>
public sealed class Pop3ProxyTests
{
    private static async Task<Pop3Client> ConnectAsync(RelayRig rig, bool implicitTls = false)
    {
        var client = new Pop3Client { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
        await client.ConnectAsync("127.0.0.1", rig.Relay.EndPoint(implicitTls ? "pop3s" : "pop3").Port, implicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls);
        return client;
    }

    private static async Task<RawLineClient> OpenRawAsync(RelayRig rig)
    {
        var client = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("pop3"));
        Assert.Equal("+OK relay.test OAuthRelay POP3 ready", await client.ReadLineAsync());
        return client;
    }

    [Fact]
    public async Task User_pass_then_retrieve_through_the_splice_byte_for_byte_with_xoauth2_upstream()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Pop3.AddMessage(MailboxMessages.Small());
        rig.Pop3.AddMessage(MailboxMessages.Large);

        using (var client = await ConnectAsync(rig))
        {
            client.AuthenticationMechanisms.Clear(); // USER and PASS, as a legacy app does
            await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
            Assert.Equal(2, client.Count);
            for (var i = 0; i < 2; i++)
            {
                await using var stream = await client.GetStreamAsync(i);
                Assert.Equal(MailboxMessages.Hash(rig.Pop3.Messages[i]), await MailboxMessages.HashAsync(stream));
            }

            await client.DisconnectAsync(quit: true);
        }

        Assert.Equal(new("XOAUTH2", rig.Mailbox), Assert.Single(rig.Pop3.Logins));
        var session = await rig.Relay.Logs.WaitForLineAsync("POP3 session client=app");
        Assert.Contains("ended=\"upstream closed\"", session);
        Assert.DoesNotContain(RelayTestHost.Password, rig.Relay.Logs.All);
    }

    [Fact]
    public async Task Auth_plain_on_the_implicit_tls_listener()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Pop3.AddMessage(MailboxMessages.Small("Hello"));

        using var client = await ConnectAsync(rig, implicitTls: true);
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
        Assert.Equal("Hello", (await client.GetMessageAsync(0)).Subject);
        await client.DisconnectAsync(quit: true);

        Assert.Equal(new("XOAUTH2", rig.Mailbox), Assert.Single(rig.Pop3.Logins));
    }

    [Fact]
    public async Task With_oauth_off_the_upstream_sees_the_clients_own_user_and_pass()
    {
        await using var rig = await RelayRig.StartAsync();
        using var client = await ConnectAsync(rig);
        client.AuthenticationMechanisms.Clear();
        await client.AuthenticateAsync(RelayRig.BasicUser, RelayRig.BasicPassword);
        await client.DisconnectAsync(quit: true);

        Assert.Equal(new("USER", RelayRig.BasicUser), Assert.Single(rig.Pop3.Logins));
    }

    [Fact]
    public async Task Conversation_before_login_and_its_errors()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await OpenRawAsync(rig);

        Assert.Equal(["+OK Capability list follows", "USER", "SASL PLAIN", "STLS", "RESP-CODES", "AUTH-RESP-CODE", "IMPLEMENTATION OAuthRelay", "."], await client.ReadAfterAsync("CAPA", 8));
        Assert.Equal("-ERR Send USER first", await client.ExchangeAsync("PASS secret"));
        Assert.Equal("-ERR Log in first", await client.ExchangeAsync("STAT"));
        Assert.Equal("-ERR Unknown command", await client.ExchangeAsync("XYZZY"));
        Assert.Equal("-ERR Malformed PLAIN response", await client.ExchangeAsync("AUTH PLAIN !!!"));
        Assert.Equal("-ERR Unsupported authentication mechanism", await client.ExchangeAsync("AUTH CRAM-MD5"));
        Assert.Equal("+ ", await client.ExchangeAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Authentication cancelled", await client.ExchangeAsync("*"));
        Assert.Equal("+OK Send PASS", await client.ExchangeAsync($"USER {RelayTestHost.UserName}"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await client.ExchangeAsync("PASS wrong"));
        Assert.Equal(0, rig.Pop3.Connections);
        Assert.Equal("+OK OAuthRelay signing off", await client.ExchangeAsync("QUIT"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_refused_token_is_a_temporary_error_after_one_refresh()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Pop3.RejectTokens = true;
        await using var client = await OpenRawAsync(rig);

        Assert.Equal("+OK Send PASS", await client.ExchangeAsync($"USER {RelayTestHost.UserName}"));
        Assert.Equal("-ERR [SYS/TEMP] The mail server refused the relay's token; try again later", await client.ExchangeAsync($"PASS {RelayTestHost.Password}"));
        Assert.Equal(2, rig.Pop3.RefusedLogins);
    }

    [Fact]
    public async Task Commands_pipelined_behind_stls_are_dropped()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await OpenRawAsync(rig);

        await client.SendRawAsync($"STLS\r\nUSER {RelayTestHost.UserName}\r\n");
        Assert.Equal("+OK Begin TLS negotiation", await client.ReadLineAsync());
        await client.StartTlsAsync();

        Assert.Equal("-ERR Send USER first", await client.ExchangeAsync($"PASS {RelayTestHost.Password}"));
        Assert.Equal("-ERR TLS is already active", await client.ExchangeAsync("STLS"));
    }
}
