using System.Text;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Mailbox;

/// <summary>Scripted IMAP conversations before login over a real socket, with the exact responses expected.</summary>
public sealed class ImapBadInputTests
{
    private const string Capabilities = "IMAP4rev1 SASL-IR LITERAL+ ID STARTTLS AUTH=PLAIN";

    [Fact]
    public async Task Greeting_capability_noop_id_and_logout()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal($"* OK [CAPABILITY {Capabilities}] relay.test OAuthRelay IMAP4rev1 ready", await client.ReadLineAsync());
        Assert.Equal([$"* CAPABILITY {Capabilities}", "a1 OK CAPABILITY completed"], await client.CommandAsync("a1", "CAPABILITY"));
        Assert.Equal(["a2 OK NOOP completed"], await client.CommandAsync("a2", "noop"));
        Assert.Equal(["* ID (\"name\" \"OAuthRelay\")", "a3 OK ID completed"], await client.CommandAsync("a3", "ID (\"name\" \"AEM\" \"version\" \"6.5\")"));
        Assert.Equal(["* BYE OAuthRelay logging out", "a4 OK LOGOUT completed"], await client.CommandAsync("a4", "LOGOUT"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Login_with_synchronizing_and_non_synchronizing_literals_and_escaped_quotes()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));
        var user = Encoding.UTF8.GetBytes(RelayTestHost.UserName);

        await client.SendRawAsync($"a1 LOGIN {{{user.Length}}}\r\n");
        Assert.Equal("+ Ready for literal data", await client.ReadLineAsync());
        await client.SendRawAsync(RelayTestHost.UserName + " \"wrong \\\"quoted\\\" \\\\ password\"\r\n");
        Assert.Equal(["a1 NO [AUTHENTICATIONFAILED] Authentication failed"], await client.ReadUntilAsync("a1 "));

        // LITERAL+: no continuation is sent, the bytes follow at once.
        var password = Encoding.UTF8.GetBytes(RelayTestHost.Password);
        await client.SendRawAsync($"a2 LOGIN \"{RelayTestHost.UserName}\" {{{password.Length}+}}\r\n{RelayTestHost.Password}\r\n");
        var reply = Assert.Single(await client.ReadUntilAsync("a2 "));
        Assert.StartsWith("a2 OK [CAPABILITY IMAP4 IMAP4rev1 UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+] Logged in", reply);
        Assert.Single(rig.Imap.Logins);

        // From here on the bytes are the upstream's.
        Assert.Equal(["a3 OK NOOP completed."], await client.CommandAsync("a3", "NOOP"));
    }

    [Fact]
    public async Task An_oversized_literal_is_refused_and_the_connection_closed()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal(["a1 BAD [TOOBIG] Literal larger than 8192 bytes", "* BYE Too much data before login"], await client.ReadAfterAsync("a1 LOGIN {9000}", 2));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Equal(0, rig.Imap.Connections);
    }

    [Theory]
    [InlineData("a1 LOGIN \"app@contoso.test secret", "a1 BAD Unterminated quoted string")]
    [InlineData("a1 LOGIN \"app\\x\" secret", "a1 BAD Invalid escape in quoted string")]
    [InlineData("a1 LOGIN {12} user", "a1 BAD A literal announcement must end the line")]
    [InlineData("a1 LOGIN onlyuser", "a1 BAD Invalid arguments for LOGIN")]
    [InlineData("a1 AUTHENTICATE PLAIN !!!notbase64", "a1 BAD Malformed PLAIN response")]
    [InlineData("a1 AUTHENTICATE PLAIN AHVzZXI=", "a1 BAD Malformed PLAIN response")]
    [InlineData("a1 AUTHENTICATE CRAM-MD5", "a1 NO [CANNOT] Unsupported authentication mechanism")]
    [InlineData("a1 SELECT INBOX", "a1 BAD Log in first")]
    [InlineData("a1 FROBNICATE", "a1 BAD Unknown command")]
    [InlineData("a1", "a1 BAD Missing command")]
    [InlineData("+tag NOOP", "* BAD Missing or invalid tag")]
    public async Task Bad_input_before_login_gets_the_exact_response(string line, string expected)
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal(expected, await client.ExchangeAsync(line));
        Assert.Equal(["b1 OK NOOP completed"], await client.CommandAsync("b1", "NOOP")); // the session goes on
        Assert.Equal(0, rig.Imap.Connections);
    }

    [Fact]
    public async Task Authenticate_plain_by_continuation_and_cancelled()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal("+ ", await client.ExchangeAsync("a1 AUTHENTICATE PLAIN"));
        Assert.Equal("a1 BAD Authentication cancelled", await client.ExchangeAsync("*"));
        Assert.Equal("+ ", await client.ExchangeAsync("a2 AUTHENTICATE PLAIN"));
        Assert.StartsWith("a2 OK [CAPABILITY ", await client.ExchangeAsync(RelayTestHost.PlainResponse));
        Assert.Single(rig.Imap.Logins);
    }

    [Fact]
    public async Task Commands_pipelined_behind_starttls_are_dropped_and_capabilities_change()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        await client.SendRawAsync($"a1 STARTTLS\r\na2 LOGIN {RelayTestHost.UserName} \"{RelayTestHost.Password}\"\r\n");
        Assert.Equal("a1 OK Begin TLS negotiation now", await client.ReadLineAsync());
        await client.StartTlsAsync();

        Assert.Equal(["* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID AUTH=PLAIN", "a3 OK CAPABILITY completed"], await client.CommandAsync("a3", "CAPABILITY"));
        Assert.Equal("a4 BAD TLS is already active", await client.ExchangeAsync("a4 STARTTLS"));
        Assert.Empty(rig.Imap.Logins); // a2 was never run
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains("bytes pipelined after STARTTLS"));
    }

    [Fact]
    public async Task Without_tls_on_a_listener_that_forbids_cleartext_login_login_is_disabled()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Listeners:imap:AllowCleartextAuth"] = "false");
        await using var client = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID STARTTLS LOGINDISABLED] relay.test OAuthRelay IMAP4rev1 ready", await client.ReadLineAsync());
        Assert.Equal("a1 NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS", await client.ExchangeAsync($"a1 LOGIN {RelayTestHost.UserName} x"));
        Assert.Equal("a2 NO [PRIVACYREQUIRED] Authentication is disabled until STARTTLS", await client.ExchangeAsync("a2 AUTHENTICATE PLAIN"));
    }

    [Fact]
    public async Task Failed_logins_are_capped_then_the_connection_closes()
    {
        await using var rig = await RelayRig.StartAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal("a1 NO [AUTHENTICATIONFAILED] Authentication failed", await client.ExchangeAsync("a1 LOGIN x y"));
        Assert.Equal("a2 NO [AUTHENTICATIONFAILED] Authentication failed", await client.ExchangeAsync("a2 LOGIN x y"));
        Assert.Equal(["a3 NO [AUTHENTICATIONFAILED] Authentication failed", "* BYE Too many failed logins"], await client.ReadAfterAsync("a3 LOGIN x y", 2));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_client_silent_before_login_is_logged_out_after_the_login_timeout()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await RelayRig.StartAsync(s => s["Mailbox:LoginTimeout"] = "00:01:00", time: time);
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        await time.FireTimerAsync(TimeSpan.FromMinutes(1));

        Assert.Equal("* BYE Login not completed in time", await client.ReadLineAsync());
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Connections_over_the_limit_are_refused_with_bye()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Smtp:MaxConnections"] = "1");
        await using var first = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));
        await using var second = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal("* BYE [UNAVAILABLE] Too many connections", await second.ReadLineAsync());
        Assert.True(await second.IsClosedByServerAsync());
        Assert.Equal(["a1 OK NOOP completed"], await first.CommandAsync("a1", "NOOP"));
    }
}
