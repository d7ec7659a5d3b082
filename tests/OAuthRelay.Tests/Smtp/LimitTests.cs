using System.Net;
using System.Text;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Smtp;

/// <summary>Every configurable limit answers with its RFC reply over a real connection.</summary>
public sealed class LimitTests
{

    [Fact]
    public async Task A_declared_size_over_the_limit_is_refused_at_mail_from()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxMessageSize"] = "1000" });
        await using var client = await host.OpenAuthenticatedAsync();
        Assert.Contains("SIZE 1000", (await client.CommandAsync("EHLO client.test")).Keywords);
        var reply = await client.CommandAsync("MAIL FROM:<a@contoso.test> SIZE=1001");
        Assert.Equal((552, "5.3.4"), reply.Status);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_after_data_nothing_is_kept_and_the_session_goes_on()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxMessageSize"] = "1000" });
        await using var client = await host.OpenAuthenticatedAsync();
        await client.CommandAsync("MAIL FROM:<a@contoso.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        await client.SendRawAsync("Subject: big\r\n\r\n" + new string('x', 5000) + "\r\n.\r\n");

        var reply = await client.ReadReplyAsync();
        Assert.Equal((552, "5.3.4"), reply.Status);
        Assert.Empty(Directory.GetFiles(host.CaptureFolder));
        Assert.Equal(250, (await client.SendMessageAsync("a@contoso.test", "b@example.test", "Subject: small\r\n\r\nok")).Code);
    }

    [Fact]
    public async Task Recipients_past_the_limit_get_452()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxRecipients"] = "2" });
        await using var client = await host.OpenAuthenticatedAsync();
        await client.CommandAsync("MAIL FROM:<a@contoso.test>");
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<1@example.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<2@example.test>")).Code);
        var third = await client.CommandAsync("RCPT TO:<3@example.test>");
        Assert.Equal((452, "4.5.3"), third.Status);
    }

    [Fact]
    public async Task An_over_long_command_line_gets_500_5_5_6_and_the_session_goes_on()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxCommandLineLength"] = "512" });
        await using var client = await host.OpenAsync();
        var reply = await client.CommandAsync("NOOP " + new string('a', 100_000));
        Assert.Equal((500, "5.5.6"), reply.Status);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task An_idle_connection_gets_421_4_4_2_and_is_closed()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:IdleTimeout"] = "00:10:00" }, time);
        await using var client = await host.OpenAuthenticatedAsync();

        await time.FireTimerAsync(TimeSpan.FromMinutes(10));

        var reply = await client.ReadReplyAsync();
        Assert.Equal((421, "4.4.2"), reply.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_stalled_data_transfer_gets_421_4_4_2_and_is_closed_without_capturing()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(
            new Dictionary<string, string?> { ["Smtp:IdleTimeout"] = "00:10:00", ["Smtp:DataTimeout"] = "00:03:00" }, time);
        await using var client = await host.OpenAuthenticatedAsync();
        await client.CommandAsync("MAIL FROM:<a@contoso.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        await client.SendRawAsync("Subject: half a message\r\n");

        // Each read arms the deadline: the one that gets the line, then the next, which stalls. The clock moves once
        // that one is armed, or it would be set from the moved clock and never come.
        await time.WaitForTimerAsync(TimeSpan.FromMinutes(3));
        await time.FireTimerAsync(TimeSpan.FromMinutes(3));

        var reply = await client.ReadReplyAsync();
        Assert.Equal((421, "4.4.2"), reply.Status);
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Empty(Directory.GetFiles(host.CaptureFolder));
    }

    [Fact]
    public async Task Connections_past_the_per_client_limit_get_421_4_3_2_while_other_addresses_still_connect()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxConnectionsPerClient"] = "2" });
        await using var first = await host.OpenAsync();
        await using var second = await host.OpenAsync();

        await using var third = await RawSmtpClient.ConnectAsync(host.EndPoint());
        var refused = await third.ReadReplyAsync();
        Assert.Equal((421, "4.3.2"), refused.Status);
        Assert.True(await third.IsClosedByServerAsync());

        await using var otherAddress = await host.OpenAsync(from: IPAddress.Parse("127.0.0.2"));
        Assert.Equal(250, (await otherAddress.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task Connections_past_the_overall_limit_get_421_4_3_2()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxConnections"] = "2" });
        await using var first = await host.OpenAsync();
        await using var second = await host.OpenAsync(from: IPAddress.Parse("127.0.0.2"));

        await using var third = await RawSmtpClient.ConnectAsync(host.EndPoint(), IPAddress.Parse("127.0.0.3"));
        var refused = await third.ReadReplyAsync();
        Assert.Equal((421, "4.3.2"), refused.Status);
    }

    [Fact]
    public async Task Repeated_auth_failures_disconnect()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxAuthFailures"] = "3" });
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        var wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{RelayTestHost.UserName}\0wrong"));

        Assert.Equal(535, (await client.CommandAsync($"AUTH PLAIN {wrong}")).Code);
        Assert.Equal(535, (await client.CommandAsync($"AUTH PLAIN {wrong}")).Code);
        Assert.Equal(535, (await client.CommandAsync($"AUTH PLAIN {wrong}")).Code);
        var bye = await client.ReadReplyAsync();
        Assert.Equal((421, "4.7.0"), bye.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Each_auth_failure_waits_longer_than_the_one_before()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(
            new Dictionary<string, string?> { ["Smtp:AuthFailureDelay"] = "00:00:02", ["Smtp:MaxAuthFailures"] = "5" }, time);
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        var wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{RelayTestHost.UserName}\0wrong"));

        // The reply only comes once the clock passes 2 s, then 4 s: FireTimerAsync waits for exactly those timers.
        await client.SendRawAsync($"AUTH PLAIN {wrong}\r\n");
        await time.FireTimerAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(535, (await client.ReadReplyAsync()).Code);

        await client.SendRawAsync($"AUTH PLAIN {wrong}\r\n");
        await time.FireTimerAsync(TimeSpan.FromSeconds(4));
        Assert.Equal(535, (await client.ReadReplyAsync()).Code);
    }
}
