using System.Net;
using System.Text;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;

namespace OAuthRelay.Tests.Clients;

/// <summary>Failed logins are counted per source address and per user name across connections and protocols.</summary>
public sealed class LoginFailureBudgetTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");

    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    private static Task<RelayTestHost> StartAsync(TimeProvider? time = null) => RelayTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Relay:MaxLoginFailuresPerAddress"] = "3",
        ["Relay:MaxLoginFailuresPerUser"] = "4",
        ["Relay:LoginFailureWindow"] = "00:15:00",
        ["Smtp:MaxAuthFailures"] = "10",
        ["Listeners:imap:Address"] = "127.0.0.1", ["Listeners:imap:Port"] = "0", ["Listeners:imap:Protocol"] = "Imap",
        ["Listeners:pop3:Address"] = "127.0.0.1", ["Listeners:pop3:Port"] = "0", ["Listeners:pop3:Protocol"] = "Pop3",
        ["Mailbox:AuthFailureDelay"] = "00:00:00",
    }, time);

    private static async Task<RawSmtpClient> OpenFromAsync(RelayTestHost host, IPAddress from)
    {
        var client = await host.OpenAsync(from: from);
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
        return client;
    }

    [Fact]
    public async Task An_address_that_spent_its_budget_is_refused_with_421_without_a_password_check_until_the_window_passes()
    {
        var time = new SignalingTimeProvider();
        await using var host = await StartAsync(time);
        await using (var guesser = await OpenFromAsync(host, Guesser))
        {
            for (var i = 0; i < 3; i++) Assert.Equal((535, "5.7.8"), (await guesser.CommandAsync($"AUTH PLAIN {Plain("nobody", $"guess{i}")}")).Status);

            // Even the right password is not checked now.
            var refused = await guesser.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}");
            Assert.Equal((421, "4.7.0"), refused.Status);
            Assert.Contains("Too many failed logins from your address", refused.Text);
            Assert.True(await guesser.IsClosedByServerAsync());
        }

        await using (var fromElsewhere = await OpenFromAsync(host, Other))
            Assert.Equal(235, (await fromElsewhere.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);

        // IMAP from the guessing address is refused the same way, and closed.
        await using (var imap = await RawImap.OpenAsync(host.EndPoint("imap"), Guesser))
        {
            Assert.Equal(["a1 NO [UNAVAILABLE] Too many failed logins from your address; try again in 15 minutes", "* BYE Too many failed logins from your address; try again in 15 minutes"],
                await imap.ReadAfterAsync($"a1 LOGIN {RelayTestHost.UserName} another-guess", 2));
            Assert.True(await imap.IsClosedByServerAsync());
        }

        time.Advance(TimeSpan.FromMinutes(15));
        await using var later = await OpenFromAsync(host, Guesser);
        Assert.Equal(235, (await later.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);
        Assert.Single(host.Logs.Lines, l => l.Contains("Login failures for address 127.0.0.2 reached 3"));
    }

    [Fact]
    public async Task A_user_name_that_spent_its_budget_is_refused_from_every_address_but_a_login_remembered_as_good_still_works()
    {
        await using var host = await StartAsync();
        await using (var legitimate = await OpenFromAsync(host, IPAddress.Loopback))
            Assert.Equal(235, (await legitimate.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);

        // Four wrong passwords for the user, from three addresses and over SMTP and POP3.
        foreach (var from in new[] { Guesser, Other })
        {
            await using var guesser = await OpenFromAsync(host, from);
            Assert.Equal(535, (await guesser.CommandAsync($"AUTH PLAIN {Plain(RelayTestHost.UserName, "wrong")}")).Code);
        }

        await using (var pop3 = await RawLineClient.ConnectAsync(host.EndPoint("pop3"), IPAddress.Parse("127.0.0.4")))
        {
            await pop3.ReadLineAsync();
            Assert.StartsWith("+OK", await pop3.ExchangeAsync($"USER {RelayTestHost.UserName}"));
            Assert.Equal("-ERR [AUTH] Authentication failed", await pop3.ExchangeAsync("PASS wrong"));
            Assert.StartsWith("+OK", await pop3.ExchangeAsync($"USER {RelayTestHost.UserName}"));
            Assert.Equal("-ERR [AUTH] Authentication failed", await pop3.ExchangeAsync("PASS wrong again"));
            Assert.StartsWith("+OK", await pop3.ExchangeAsync($"USER {RelayTestHost.UserName}"));
            Assert.Equal("-ERR [SYS/TEMP] Too many failed logins for this user name; try again in 15 minutes", await pop3.ExchangeAsync("PASS wrong a third time"));
            Assert.True(await pop3.IsClosedByServerAsync());
        }

        await using (var newcomer = await OpenFromAsync(host, IPAddress.Parse("127.0.0.5")))
            Assert.Equal((421, "4.7.0"), (await newcomer.CommandAsync($"AUTH PLAIN {Plain(RelayTestHost.UserName, "another guess")}")).Status);

        // The application itself keeps working: its credentials were verified minutes ago and are remembered.
        await using var again = await OpenFromAsync(host, IPAddress.Loopback);
        Assert.Equal(235, (await again.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);
    }
}
