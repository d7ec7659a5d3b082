using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;

namespace OAuthRelay.Tests.Connections;

/// <summary>Connection caps per listener, so that a flood on one listener cannot take the connections another needs.</summary>
public sealed class ListenerConnectionLimitTests
{
    [Fact]
    public async Task A_flood_on_the_imap_listener_stops_at_its_share_of_the_total_and_smtp_still_accepts()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Smtp:MaxConnections"] = "4", // two listeners: two connections each
            ["Listeners:imap:Address"] = "127.0.0.1",
            ["Listeners:imap:Port"] = "0",
            ["Listeners:imap:Protocol"] = "Imap",
        });
        await using var first = await RawImap.OpenAsync(host.EndPoint("imap"));
        await using var second = await RawImap.OpenAsync(host.EndPoint("imap"));

        await using var third = await RawLineClient.ConnectAsync(host.EndPoint("imap"));
        Assert.Equal("* BYE [UNAVAILABLE] Too many connections", await third.ReadLineAsync());
        Assert.True(await third.IsClosedByServerAsync());
        Assert.Single(host.Logs.Lines, l => l.Contains("refused on imap: listener connection limit 2 reached"));

        await using var smtp = await host.OpenAsync();
        Assert.Equal(250, (await smtp.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task A_listeners_own_max_connections_replaces_its_share()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Listeners:main:MaxConnections"] = "1" });
        await using var first = await host.OpenAsync();

        await using var second = await RawSmtpClient.ConnectAsync(host.EndPoint());
        Assert.Equal((421, "4.3.2"), (await second.ReadReplyAsync()).Status);
        Assert.Single(host.Logs.Lines, l => l.Contains("refused on main: listener connection limit 1 reached (421 4.3.2)"));
    }
}
