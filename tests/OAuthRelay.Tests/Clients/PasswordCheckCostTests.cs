using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Clients;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Clients;

/// <summary>What a password check costs, and that nobody can make the relay spend its CPU on them.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class PasswordCheckCostTests
{
    [Fact]
    public async Task An_unknown_user_name_costs_the_same_hashing_as_a_wrong_password_for_a_million_iteration_hash()
    {
        // A well-formed hash with a million iterations (no password matches it; checking any costs the full count).
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Clients:app:PasswordHash"] = PasswordHasher.Decoy(1_000_000) });
        var authenticator = host.Services.GetRequiredService<ClientAuthenticator>();

        // CPU time, not wall time: the hash runs on one thread, and other processes on the machine do not count.
        async Task<TimeSpan> WrongLoginAsync(string userName, string from)
        {
            var started = Process.GetCurrentProcess().TotalProcessorTime;
            Assert.Equal(ClientLoginOutcome.WrongCredentials, (await authenticator.AuthenticateAsync(IPAddress.Parse(from), userName, "wrong password")).Outcome);
            return Process.GetCurrentProcess().TotalProcessorTime - started;
        }

        var unknownUser = await WrongLoginAsync("nobody@contoso.test", "127.0.1.2");
        var wrongPassword = await WrongLoginAsync(RelayTestHost.UserName, "127.0.1.1");

        // A decoy with the default 210,000 iterations would cost a fifth; none at all, nothing. Above, the process's CPU
        // time also counts its other threads' work on a loaded machine (1.65 seen), and more would not be a weakness.
        Assert.InRange(unknownUser / wrongPassword, 0.6, 3.0);
    }

    [Fact]
    public async Task Forty_guessing_connections_from_one_address_slow_a_login_from_another_by_less_than_20_percent()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:CredentialCacheTime"] = "00:00:00", // every legitimate login is a real password check
            ["Smtp:AuthFailureDelay"] = "00:00:00.500",
        });
        var attack = new Attack();
        using var stop = new CancellationTokenSource();
        var guessers = Enumerable.Range(0, 40).Select(i => GuessAsync(host, i, attack, stop.Token)).ToArray();
        await host.Logs.WaitForLineAsync("Login failures for address 127.0.0.2 reached");

        // Quiet and attacked rounds alternate, so that a change in the machine's own load falls on both alike; each
        // round is compared with its own quiet half, and the median round decides, so that a burst of the machine's
        // own load in a few rounds does not.
        var ratios = new List<double>();
        var (quiet, attacked) = (new List<TimeSpan>(), new List<TimeSpan>());
        for (var round = 0; round < 10; round++)
        {
            attack.Pause();
            var quietRound = await LoginTimesAsync(host, 4);
            attack.Resume();
            var attackedRound = await LoginTimesAsync(host, 4);
            ratios.Add(Median(attackedRound) / Median(quietRound));
            (quiet, attacked) = ([.. quiet, .. quietRound], [.. attacked, .. attackedRound]);
        }

        await stop.CancelAsync();
        attack.Resume();
        await Task.WhenAll(guessers);
        var ratio = ratios.Order().ElementAt(ratios.Count / 2);
        Assert.True(ratio <= 1.2, $"a login took {ratio:0.00}x as long under attack (median round; medians of all {Median(attacked).TotalMilliseconds:0.0} ms under attack, {Median(quiet).TotalMilliseconds:0.0} ms without)");
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);

    /// <summary>The times of <paramref name="count"/> AUTH round trips from 127.0.0.1, each on a new connection.</summary>
    private static async Task<List<TimeSpan>> LoginTimesAsync(RelayTestHost host, int count)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            await using var client = await host.OpenAsync(from: IPAddress.Loopback);
            await client.CommandAsync("EHLO client.test");
            var started = Stopwatch.GetTimestamp();
            Assert.Equal(235, (await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);
            times.Add(Stopwatch.GetElapsedTime(started));
        }

        return times;
    }

    /// <summary>Lets the guessers go on or makes them wait before their next guess.</summary>
    private sealed class Attack
    {
        private volatile TaskCompletionSource _go = NewGate(open: true);

        public Task WaitAsync() => _go.Task;

        public void Pause() => _go = NewGate(open: false);

        public void Resume() => _go.TrySetResult();

        private static TaskCompletionSource NewGate(bool open)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (open) gate.SetResult();
            return gate;
        }
    }

    /// <summary>One guessing connection after another from 127.0.0.2, as fast as the relay answers, until stopped.</summary>
    private static async Task GuessAsync(RelayTestHost host, int guesser, Attack attack, CancellationToken stop)
    {
        var guess = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await attack.WaitAsync();
                await using var client = await host.OpenAsync(from: IPAddress.Parse("127.0.0.2"));
                await client.CommandAsync("EHLO guesser.test");
                while (!stop.IsCancellationRequested)
                {
                    await attack.WaitAsync();
                    var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0user{guesser}@contoso.test\0guess{guess++}"));
                    if ((await client.CommandAsync($"AUTH PLAIN {plain}")).Code != 535) break;
                }
            }
            catch (IOException)
            {
                // The relay closed the connection: connect again.
            }
        }
    }
}
