using System.Text;
using OAuthRelay.Queue;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Queue;

namespace OAuthRelay.Tests.Hosting;

/// <summary>The shipped config/oauthrelay.json starts a relay that captures mail with no Office 365 account.</summary>
public sealed class SampleConfigurationTests
{
    public static string SampleConfig()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config", "oauthrelay.json");
            if (File.Exists(Path.Combine(dir.FullName, "OAuthRelay.sln")) && File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException("config/oauthrelay.json not found above the test binaries.");
    }

    [Fact]
    public async Task The_sample_configuration_captures_a_message_and_says_where_at_start()
    {
        // Ports 0 instead of 2525/2465 so the test never collides with a relay an operator is running.
        await using var host = await RelayTestHost.StartAsync(
            new Dictionary<string, string?> { ["Listeners:submission:Port"] = "0", ["Listeners:submissions:Port"] = "0", ["Admin:Port"] = "0" },
            configFile: SampleConfig());

        Assert.Single(host.Logs.Lines, l => l.Contains("OAuthRelay ready") && l.Contains(host.CaptureFolder) && l.Contains("no Office 365 account needed"));

        await using var fromLoopback = await host.OpenAsync("submission");
        Assert.Equal(250, (await fromLoopback.SendMessageAsync("cron@contoso.example", "ops@contoso.example", "Subject: sample\r\n\r\nhello")).Code);

        await using var legacyApp = await host.OpenAsync("submission");
        await legacyApp.CommandAsync("EHLO aem.contoso.example");
        var login = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0aem@contoso.example\0change-me"));
        Assert.Equal(235, (await legacyApp.CommandAsync($"AUTH PLAIN {login}")).Code);
        Assert.Equal("Subject: sample\r\n\r\nhello\r\n", await File.ReadAllTextAsync(Assert.Single(host.CapturedFiles())));

        using var probe = new QueueProbe(host);
        var queued = await legacyApp.SendMessageAsync("aem@contoso.example", "ops@contoso.example", "Subject: queued\r\n\r\nhello");
        Assert.StartsWith("2.0.0 OK queued as ", queued.Text);
        Assert.Equal(DeliveryAttempt.Delivered, (await probe.NextAttemptAsync()).Result);
        Assert.Equal(2, host.CapturedFiles().Length);
    }
}
