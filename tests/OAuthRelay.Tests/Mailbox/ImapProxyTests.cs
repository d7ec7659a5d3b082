using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Mailbox;

/// <summary>MailKit's ImapClient as the legacy client, through the relay's IMAP listeners to the fake Office 365 IMAP server.</summary>
public sealed class ImapProxyTests
{
    private static ImapClient LegacyClient() => new() { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };

    private static async Task<ImapClient> ConnectAsync(RelayRig rig, bool implicitTls = false)
    {
        var client = LegacyClient();
        var listener = implicitTls ? "imaps" : "imap";
        await client.ConnectAsync("127.0.0.1", rig.Relay.EndPoint(listener).Port, implicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls);
        return client;
    }

    [Fact]
    public async Task Login_then_list_and_fetch_through_the_splice_byte_for_byte_with_xoauth2_upstream()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Imap.AddMessage(MailboxMessages.Small());
        rig.Imap.AddMessage(MailboxMessages.Large);

        using (var client = await ConnectAsync(rig))
        {
            client.AuthenticationMechanisms.Clear(); // plain LOGIN, as a legacy app does
            await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
            Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Idle));
            Assert.Empty(client.AuthenticationMechanisms); // the upstream's AUTH= are not passed on after login

            var inbox = client.Inbox;
            await inbox.OpenAsync(FolderAccess.ReadOnly);
            Assert.Equal(2, inbox.Count);
            for (var i = 0; i < 2; i++)
            {
                await using var stream = await inbox.GetStreamAsync(i, string.Empty);
                Assert.Equal(MailboxMessages.Hash(rig.Imap.Messages[i]), await MailboxMessages.HashAsync(stream));
            }

            await client.DisconnectAsync(quit: true);
        }

        Assert.Equal(new("XOAUTH2", rig.Mailbox), Assert.Single(rig.Imap.Logins));
        Assert.Contains("EXAMINE INBOX", rig.Imap.Commands);
        var session = await rig.Relay.Logs.WaitForLineAsync("IMAP session client=app");
        Assert.Contains($"upstream={rig.Mailbox} (XOAUTH2, account office)", session);
        Assert.Matches(@"bytes_to_client=1[0-9]{7}", session); // the 10 MB attachment, base64: about 13.8 MB
        Assert.DoesNotContain(RelayTestHost.Password, rig.Relay.Logs.All);
        foreach (var secret in rig.Entra.IssuedSecrets) Assert.DoesNotContain(secret, rig.Relay.Logs.All);
    }

    [Fact]
    public async Task Authenticate_plain_with_sasl_ir_on_the_implicit_tls_listener()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Imap.AddMessage(MailboxMessages.Small("Hello"));

        using var client = await ConnectAsync(rig, implicitTls: true);
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var message = await client.Inbox.GetMessageAsync(0);
        Assert.Equal("Hello", message.Subject);
        await client.DisconnectAsync(quit: true);

        Assert.Equal(new("XOAUTH2", rig.Mailbox), Assert.Single(rig.Imap.Logins));
    }

    [Fact]
    public async Task Idle_hears_the_exists_the_upstream_pushes()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Imap.AddMessage(MailboxMessages.Small());
        using var client = await ConnectAsync(rig);
        await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);

        var countChanged = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Inbox.CountChanged += (_, _) => countChanged.TrySetResult(client.Inbox.Count);
        rig.Imap.Idling += () => rig.Imap.AddMessage(MailboxMessages.Small("New mail"));
        using var done = new CancellationTokenSource();
        var idle = client.IdleAsync(done.Token);

        Assert.Equal(2, await countChanged.Task.WaitAsync(TimeSpan.FromSeconds(15)));
        await done.CancelAsync();
        await idle.WaitAsync(TimeSpan.FromSeconds(15));
        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task With_oauth_off_the_upstream_sees_the_clients_own_login()
    {
        await using var rig = await RelayRig.StartAsync();
        using var client = await ConnectAsync(rig);
        client.AuthenticationMechanisms.Clear();
        await client.AuthenticateAsync(RelayRig.BasicUser, RelayRig.BasicPassword);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        await client.DisconnectAsync(quit: true);

        Assert.Equal(new("LOGIN", RelayRig.BasicUser), Assert.Single(rig.Imap.Logins));
    }

    [Fact]
    public async Task A_revoked_token_is_a_temporary_no_after_one_refresh_never_authenticationfailed()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Imap.RejectTokens = true;
        var tokenRequests = rig.Entra.TokenRequests;
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        var reply = await client.CommandAsync("a1", $"LOGIN {RelayTestHost.UserName} \"{RelayTestHost.Password}\"");

        Assert.StartsWith("a1 NO [UNAVAILABLE] ", reply[^1]);
        Assert.Equal(2, rig.Imap.RefusedLogins); // the first token, then one fresh token
        Assert.True(rig.Entra.TokenRequests > tokenRequests);
        Assert.Empty(rig.Imap.Logins);
    }

    [Fact]
    public async Task A_wrong_password_is_authenticationfailed_and_the_upstream_is_not_contacted()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal(["a1 NO [AUTHENTICATIONFAILED] Authentication failed"], await client.CommandAsync("a1", $"LOGIN {RelayTestHost.UserName} wrong"));
        Assert.Equal(0, rig.Imap.Connections);
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains($"login failed for user {RelayTestHost.UserName}"));
    }

    [Fact]
    public async Task An_unreachable_upstream_is_a_temporary_no()
    {
        await using var rig = await RelayRig.StartAsync();
        await rig.Imap.DisposeAsync(); // nothing listens on its port any more
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal(["a1 NO [UNAVAILABLE] The mail server cannot be reached; try again later"],
            await client.CommandAsync("a1", $"LOGIN {RelayTestHost.UserName} \"{RelayTestHost.Password}\""));
    }
}
