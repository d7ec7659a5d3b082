using System.Diagnostics;

namespace OAuthRelay.Bench;

/// <summary>
/// Issue 16: two relays sharing Redis (see <see cref="BenchRedis"/>) against two independent
/// relays on the same fake Office 365 with pacing off, in alternating rounds; Redis round trips per message in the
/// steady state; then the token requests of a fleet of one, of three sharing Redis and of three independent relays
/// over the same minutes, with access tokens short-lived so that they are renewed several times.
/// </summary>
internal static class SharedStateBenchmark
{
    private const int UnlimitedPerMinute = 100_000_000;
    private const int Rounds = 7;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(bool throughput, bool tokens)
    {
        Console.WriteLine($"## Several relays on Redis ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine();
        await using var redis = BenchRedis.Start();
        Console.WriteLine($"Redis: {redis.Name}.");
        Console.WriteLine();
        if (throughput) await ThroughputAsync(redis);
        if (tokens) await TokenRequestsAsync(redis);
    }

    private static async Task ThroughputAsync(BenchRedis redis)
    {
        await using var fakes = await UpstreamFakes.StartAsync();
        Console.WriteLine("Two relays, pacing off (Upstream:MessagesPerMinute 100,000,000), 4 KB messages; each client sends on one connection. " +
            "With 4 clients a relay, Upstream:MaxConnectionsPerMailbox is 8 for every relay, so that the fleet's cap of 8 does not bind where two independent relays could open 16. " +
            "Throughput counts until the fake Office 365 has every message; round trips are the shared relays' commands and scripts to Redis during the measured phase; " +
            "CPU is the two relays' (and Redis's) per message, until the upstream has every message.");
        Console.WriteLine();
        Console.WriteLine("| mode | clients a relay | round | independent msgs/s | shared msgs/s | ratio (bar: 0.9) | Redis round trips a message (bar: 3) | relay CPU ms/msg independent / shared | Redis CPU ms/msg |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var medians = new List<string>();
        foreach (var mode in new[] { "PassThrough", "Queue" })
        {
            foreach (var clients in new[] { 1, 4 })
            {
                string[] common = ["Upstream:MaxConnectionsPerMailbox=8"];
                using var independentA = fakes.StartRelay(mode, UnlimitedPerMinute, settings: common);
                using var independentB = fakes.StartRelay(mode, UnlimitedPerMinute, settings: common);
                string[] Shared(string prefix) => [.. common, $"State:Redis={redis.ConnectionString()}", "State:Replicas=2", $"State:KeyPrefix={prefix}"];
                var prefix = $"bench-{mode}-{clients}:";
                using var sharedA = fakes.StartRelay(mode, UnlimitedPerMinute, settings: Shared(prefix));
                using var sharedB = fakes.StartRelay(mode, UnlimitedPerMinute, settings: Shared(prefix));
                Child[] independent = [independentA, independentB], shared = [sharedA, sharedB];
                // About 5 s a phase: a queue relay's client waits for two fsyncs a message.
                var count = (mode, clients) switch { ("PassThrough", 1) => 4000, ("PassThrough", _) => 1500, (_, 1) => 1200, _ => 500 };
                await SendAsync(fakes, independent, clients, count / 2); // warm-up, and the relays' pools fill
                await SendAsync(fakes, shared, clients, count / 2);
                var ratios = new List<double>();
                for (var round = 1; round <= Rounds; round++)
                {
                    // Which pair goes first alternates, so that a machine slowing down over the run (as these do) favours neither.
                    var alone = round % 2 == 1 ? await SendAsync(fakes, independent, clients, count) : default;
                    var (tripsBefore, redisCpu) = (shared.Sum(r => r.RedisRoundTrips()), redis.CpuTime());
                    var together = await SendAsync(fakes, shared, clients, count);
                    var messages = 2 * clients * count;
                    var trips = (double)(shared.Sum(r => r.RedisRoundTrips()) - tripsBefore) / messages;
                    var redisCpuPerMessage = (redis.CpuTime() - redisCpu).TotalMilliseconds / messages;
                    if (round % 2 == 0) alone = await SendAsync(fakes, independent, clients, count);
                    ratios.Add(together.PerSecond / alone.PerSecond);
                    Console.WriteLine($"| {mode} | {clients} | {round} | {alone.PerSecond:F0} | {together.PerSecond:F0} | {together.PerSecond / alone.PerSecond:F2} | {trips:F2} | " +
                        $"{alone.RelayCpuMs:F2} / {together.RelayCpuMs:F2} | {(redis.CpuTime() == TimeSpan.Zero ? "-" : redisCpuPerMessage.ToString("F2"))} |");
                }

                medians.Add($"{mode}, {clients} client(s) a relay: median ratio {ratios.Order().ElementAt(Rounds / 2):F2}");
            }
        }

        Console.WriteLine();
        foreach (var median in medians) Console.WriteLine($"- {median}");
        Console.WriteLine();
    }

    /// <summary>
    /// Every relay gets <paramref name="clients"/> clients sending <paramref name="count"/> messages each, all at once;
    /// messages a second, and the relays' CPU a message, until the upstream has them all.
    /// </summary>
    private static async Task<(double PerSecond, double RelayCpuMs)> SendAsync(UpstreamFakes fakes, Child[] relays, int clients, int count)
    {
        fakes.ForgetUpstreamMessages();
        // A message each: MimeKit's content streams are not for writing from several connections at once.
        var messages = relays.SelectMany(relay => Enumerable.Range(0, clients).Select(_ => (Relay: relay, Message: MailKitSender.Message(4 * 1024)))).ToList();
        var cpu = relays.Sum(r => ProcessStats.CpuTime(r.Pid).TotalMilliseconds);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(messages.Select(m => Task.Run(() => MailKitSender.SendAsync(() => UpstreamFakes.ConnectAsync(m.Relay), m.Message, count, perMessageConnection: false))));
        var total = relays.Length * clients * count;
        if (!await fakes.WaitForUpstreamAsync(total, DrainTimeout)) throw new TimeoutException($"the fake Office 365 got {fakes.Office.Messages.Count} of {total} messages");
        var elapsed = clock.Elapsed;
        return (total / elapsed.TotalSeconds, (relays.Sum(r => ProcessStats.CpuTime(r.Pid).TotalMilliseconds) - cpu) / total);
    }

    /// <summary>
    /// Six fleets at once, each with its own fake Entra ID (which counts its token requests) and Office 365: for each of
    /// two ways tokens are renewed, one relay on Redis, three relays sharing Redis and three relays each on its own.
    /// Every relay sends a message a second. Access tokens refreshed in their margin: they live 320 s, so are renewed
    /// every 160 s (half their life); MSAL takes a token from the cache only with more than 5 minutes left, so shorter
    /// ones would always be fetched anew. Refresh tokens redeemed every Tokens:RenewalInterval: 60 s here, 12 h by default.
    /// </summary>
    private static async Task TokenRequestsAsync(BenchRedis redis)
    {
        var window = TimeSpan.FromSeconds(400);
        var fleets = new List<(string Renewal, string Fleet, UpstreamFakes Fakes, Child[] Relays)>();
        try
        {
            var kinds = new[] { ("access token in its margin (lifetime 320 s)", 320, Array.Empty<string>()), ("refresh token every 60 s (Tokens:RenewalInterval)", 3600, ["Tokens:RenewalInterval=00:01:00"]) };
            var shapes = new[] { ("one relay on Redis", 1, true), ("three relays sharing Redis", 3, true), ("three independent relays", 3, false) };
            foreach (var (renewal, lifetime, settings) in kinds)
            {
                foreach (var (fleet, replicas, onRedis) in shapes)
                {
                    var fakes = await UpstreamFakes.StartAsync();
                    fakes.Entra.AccessTokenLifetimeSeconds = lifetime;
                    string[] relaySettings = onRedis
                        ? [.. settings, $"State:Redis={redis.ConnectionString()}", $"State:Replicas={replicas}", $"State:KeyPrefix=bench-tokens-{fleets.Count}:"]
                        : settings;
                    var relays = await Task.WhenAll(Enumerable.Range(0, replicas).Select(_ => Task.Run(() => fakes.StartRelay("PassThrough", UnlimitedPerMinute, settings: relaySettings))));
                    fleets.Add((renewal, fleet, fakes, relays));
                }
            }

            // Each relay has signed in (its own import of a refresh token) and sent once: from here on only renewals count.
            foreach (var (_, _, _, relays) in fleets)
                foreach (var relay in relays) await MailKitSender.SendAsync(() => UpstreamFakes.ConnectAsync(relay), MailKitSender.Message(4 * 1024), 1, perMessageConnection: true);
            var before = fleets.Select(f => f.Fakes.Entra.TokenRequests).ToArray();
            using var stop = new CancellationTokenSource(window);
            await Task.WhenAll(fleets.SelectMany(f => f.Relays).Select(relay => Task.Run(() => SendSteadilyAsync(relay, MailKitSender.Message(4 * 1024), stop.Token))));

            Console.WriteLine($"Token requests to the fake Entra ID over {window.TotalSeconds:F0} s of steady traffic (every relay sends a message a second); the sign-ins at start are not counted. " +
                "The bar: relays sharing Redis make as many as one relay.");
            Console.WriteLine();
            Console.WriteLine("| renewal | fleet | token requests | per hour | ratio to one relay |");
            Console.WriteLine("|---|---|---|---|---|");
            for (var i = 0; i < fleets.Count; i++)
            {
                var one = fleets[i - i % shapes.Length].Fakes.Entra.TokenRequests - before[i - i % shapes.Length];
                var requests = fleets[i].Fakes.Entra.TokenRequests - before[i];
                Console.WriteLine($"| {fleets[i].Renewal} | {fleets[i].Fleet} | {requests} | {requests * 3600 / window.TotalSeconds:F0} | {(double)requests / one:F2} |");
            }

            Console.WriteLine();
        }
        finally
        {
            foreach (var (_, _, fakes, relays) in fleets)
            {
                foreach (var relay in relays) relay.Dispose();
                await fakes.DisposeAsync();
            }
        }
    }

    private static async Task SendSteadilyAsync(Child relay, MimeKit.MimeMessage message, CancellationToken stop)
    {
        using var client = await UpstreamFakes.ConnectAsync(relay);
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await tick.WaitForNextTickAsync(stop)) await client.SendAsync(message, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // the window is over
        }

        await client.DisconnectAsync(true);
    }
}
