using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Smtp;

/// <summary>Deadlines that traffic does not move: the login phase, and the whole DATA transfer at a minimum rate (fake clock).</summary>
public sealed class DeadlineTests
{
    private static readonly Dictionary<string, string?> DataLimits = new()
    {
        ["Smtp:DataTimeout"] = "00:03:00", ["Smtp:MinDataRate"] = "1024", ["Smtp:IdleTimeout"] = "01:00:00",
    };

    /// <summary>An authenticated client that has been told 354 and may send message data.</summary>
    private static async Task<RawSmtpClient> OpenInDataAsync(RelayTestHost host)
    {
        var client = await host.OpenAuthenticatedAsync();
        await client.CommandAsync("MAIL FROM:<a@contoso.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        return client;
    }

    [Fact]
    public async Task A_client_that_never_authenticates_is_closed_at_the_login_deadline_however_busy_it_keeps_the_connection()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:LoginTimeout"] = "00:02:00", ["Smtp:IdleTimeout"] = "00:05:00" }, time);
        await using var client = await host.OpenAsync();
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal((421, "4.4.2"), (await client.ReadReplyAsync()).Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task An_authenticated_client_is_held_only_by_the_idle_timeout()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:LoginTimeout"] = "00:02:00", ["Smtp:IdleTimeout"] = "00:05:00" }, time);
        await using var client = await host.OpenAuthenticatedAsync();

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task Message_data_trickled_below_the_minimum_rate_is_cut_off_with_421_although_no_read_waits_long()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(DataLimits, time);
        await using var client = await OpenInDataAsync(host);

        // 100 bytes, two minutes, 100 bytes: no read waits as long as the 3-minute data timeout, but the transfer has
        // earned only 3 minutes + 200/1024 s in all, so the relay gives the next read the 60.195 s that are left
        // (timers run in whole milliseconds).
        await client.SendRawAsync("Subject: trickle\r\n\r\n" + new string('x', 78) + "\r\n");
        time.Advance(TimeSpan.FromMinutes(2));
        await client.SendRawAsync(new string('y', 98) + "\r\n");
        await time.WaitForTimerAsync(TimeSpan.FromMilliseconds(60_195));
        time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal((421, "4.4.2"), (await client.ReadReplyAsync()).Status);
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Empty(host.CapturedFiles());
    }

    [Fact]
    public async Task A_slow_message_above_the_minimum_rate_is_accepted_after_more_than_the_data_timeout()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(DataLimits, time);
        await using var client = await OpenInDataAsync(host);

        // 5 x 100 KB, a minute apart: 5 minutes in all, well past the data timeout, at about 1.7 KB/s. The clock moves
        // only once the relay has read a chunk (it re-arms its read deadline), so no deadline set before it can fire.
        var line = new string('z', 1022) + "\r\n";
        for (var chunk = 0; chunk < 5; chunk++)
        {
            time.ForgetArmedTimers();
            await client.SendRawAsync(string.Concat(Enumerable.Repeat(line, 100)));
            await time.WaitForTimerAsync(TimeSpan.FromMinutes(3));
            time.Advance(TimeSpan.FromMinutes(1));
        }

        await client.SendRawAsync(".\r\n");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Single(host.CapturedFiles());
    }
}
