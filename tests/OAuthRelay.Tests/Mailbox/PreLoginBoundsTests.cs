using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OAuthRelay.Mailbox.Backend;
using OAuthRelay.MailboxProxy;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Mailbox;

/// <summary>
/// Before login an IMAP or POP3 client gets a bounded amount of the relay's time and memory: two literals per command,
/// a deadline per command and for the whole login phase that traffic does not move, and an answer to every command.
/// </summary>
public sealed class PreLoginBoundsTests
{
    private static Task<RelayTestHost> StartAsync(TimeProvider? time = null, Action<IServiceCollection>? services = null) =>
        RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Listeners:imap:Address"] = "127.0.0.1", ["Listeners:imap:Port"] = "0", ["Listeners:imap:Protocol"] = "Imap",
            ["Listeners:pop3:Address"] = "127.0.0.1", ["Listeners:pop3:Port"] = "0", ["Listeners:pop3:Protocol"] = "Pop3",
            ["Mailbox:LoginTimeout"] = "00:02:00", ["Mailbox:CommandTimeout"] = "00:00:30", ["Mailbox:AuthFailureDelay"] = "00:00:00",
        }, time, services: services);

    [Fact]
    public async Task A_command_chaining_a_third_literal_is_refused_with_BAD_before_its_bytes_are_asked_for_and_the_connection_closes()
    {
        await using var host = await StartAsync();
        await using var client = await RawImap.OpenAsync(host.EndPoint("imap"));

        Assert.Equal("+ Ready for literal data", (await client.ReadAfterAsync("a1 LOGIN {5}", 1))[0]);
        Assert.Equal("+ Ready for literal data", (await client.ReadAfterAsync("12345 {5}", 1))[0]);
        Assert.Equal(["a1 BAD [TOOBIG] More than 2 literals in one command", "* BYE Too much data before login"], await client.ReadAfterAsync("12345 {5}", 2));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Non_synchronizing_literals_count_towards_the_cap_too()
    {
        await using var host = await StartAsync();
        await using var client = await RawImap.OpenAsync(host.EndPoint("imap"));

        await client.SendRawAsync("a1 LOGIN {1+}\r\nx {1+}\r\ny {1+}\r\nz\r\n");
        Assert.Equal(["a1 BAD [TOOBIG] More than 2 literals in one command", "* BYE Too much data before login"], await client.ReadUntilAsync("* BYE"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_literal_trickled_a_byte_at_a_time_is_ended_by_the_command_deadline()
    {
        var time = new SignalingTimeProvider();
        await using var host = await StartAsync(time);
        await using var client = await RawImap.OpenAsync(host.EndPoint("imap"));
        Assert.Equal("+ Ready for literal data", (await client.ReadAfterAsync("a1 LOGIN {10}", 1))[0]);

        await client.SendRawAsync("a");
        time.Advance(TimeSpan.FromSeconds(20));
        await client.SendRawAsync("b");
        time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal("* BYE Command not completed in time", await client.ReadLineAsync());
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Commands_keep_coming_but_the_imap_login_phase_ends_at_its_deadline()
    {
        var time = new SignalingTimeProvider();
        await using var host = await StartAsync(time);
        await using var client = await RawImap.OpenAsync(host.EndPoint("imap"));

        for (var i = 1; i <= 2; i++)
        {
            time.Advance(TimeSpan.FromSeconds(50));
            Assert.Equal([$"a{i} OK NOOP completed"], await client.CommandAsync($"a{i}", "NOOP"));
        }

        time.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal("* BYE Login not completed in time", await client.ReadLineAsync());
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Commands_keep_coming_but_the_pop3_login_phase_ends_at_its_deadline()
    {
        var time = new SignalingTimeProvider();
        await using var host = await StartAsync(time);
        await using var client = await RawLineClient.ConnectAsync(host.EndPoint("pop3"));
        Assert.StartsWith("+OK", await client.ReadLineAsync());

        time.Advance(TimeSpan.FromSeconds(100));
        Assert.StartsWith("-ERR", await client.ExchangeAsync("STAT"));
        time.Advance(TimeSpan.FromSeconds(21));

        Assert.Equal("-ERR Login not completed in time", await client.ReadLineAsync());
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task An_exception_in_the_login_backend_is_answered_NO_SERVERBUG_and_the_session_goes_on()
    {
        await using var host = await StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IMailboxBackend>(
            sp => new FailingBackends.Mailbox(ActivatorUtilities.CreateInstance<MailboxProxyBackend>(sp)))));
        await using var imap = await RawImap.OpenAsync(host.EndPoint("imap"));
        await using var pop3 = await RawLineClient.ConnectAsync(host.EndPoint("pop3"));
        await pop3.ReadLineAsync();

        Assert.Equal(["a1 NO [SERVERBUG] Internal error in the relay; try again later"], await imap.CommandAsync("a1", $"LOGIN {FailingBackends.Trigger} pw"));
        Assert.Equal(["a2 OK NOOP completed"], await imap.CommandAsync("a2", "NOOP"));
        Assert.Equal("+OK Send PASS", await pop3.ExchangeAsync($"USER {FailingBackends.Trigger}"));
        Assert.Equal("-ERR [SYS/TEMP] Internal error in the relay; try again later", await pop3.ExchangeAsync("PASS pw"));
        Assert.StartsWith("+OK", await pop3.ExchangeAsync("CAPA"));
        Assert.Equal(2, host.Logs.Lines.Count(l => l.StartsWith("Error") && l.Contains("failed inside the relay")));
    }
}
