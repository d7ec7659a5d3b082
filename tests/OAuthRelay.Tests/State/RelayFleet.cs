using System.Net.Http.Json;
using System.Text;
using System.Threading.Channels;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Fakes;
using OAuthRelay.Observability;
using OAuthRelay.Queue;
using OAuthRelay.State;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tests.State;

/// <summary>
/// Several relays as replicas of one deployment: one fake Entra ID, one fake Office 365, one Redis (Garnet), and per
/// relay its own listener, spool, queue, admin endpoint and gateway to Redis. Client "app" sends as account "office".
/// </summary>
internal sealed class RelayFleet(string folder, FakeEntraId entra, FakeOffice365 office, LoopbackRedis redis, List<RelayTestHost?> relays,
    List<TcpGateway> gateways, List<Dictionary<string, string?>> settings) : IAsyncDisposable
{
    public const string Recipient = "someone@example.test";

    private readonly Channel<DeliveryAttempt> _attempts = Channel.CreateUnbounded<DeliveryAttempt>();

    public FakeEntraId Entra { get; } = entra;

    public FakeOffice365 Office { get; } = office;

    public LoopbackRedis Redis { get; } = redis;

    public IReadOnlyList<TcpGateway> Gateways { get; } = gateways;

    /// <summary>Each relay's settings, as an operator's file would hold them.</summary>
    public IReadOnlyList<Dictionary<string, string?>> Settings { get; } = settings;

    public string Mailbox => FakeEntraId.UserName;

    public RelayTestHost this[int relay] => relays[relay] ?? throw new InvalidOperationException($"relay {relay} was killed");

    /// <param name="adjust">Changes to every relay's settings (all replicas of one deployment share them).</param>
    public static async Task<RelayFleet> StartAsync(int count, Action<Dictionary<string, string?>>? adjust = null, TimeProvider? time = null)
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-fleet-").FullName;
        var entra = await FakeEntraId.StartAsync();
        var office = new FakeOffice365(entra);
        var redis = LoopbackRedis.Start();
        var officeCa = Path.Combine(folder, "upstream-ca.pem");
        await File.WriteAllTextAsync(officeCa, FakeCertificate.Pem);
        var entraCa = Path.Combine(folder, "entra-ca.pem");
        await File.WriteAllTextAsync(entraCa, entra.CertificatePem);
        var relays = new List<RelayTestHost?>();
        var gateways = new List<TcpGateway>();
        var all = new List<Dictionary<string, string?>>();
        for (var i = 0; i < count; i++)
        {
            var gateway = redis.OpenGateway();
            var settings = UpstreamRelaySettings.For(entra.BaseAddress, entraCa, office.EndPoint.Port, officeCa, Path.Combine(folder, $"relay{i}"));
            settings["Clients:app:Account"] = "office";
            settings["Admin:Port"] = "0";
            settings["State:Redis"] = $"127.0.0.1:{gateway.EndPoint.Port}";
            settings["State:Replicas"] = count.ToString();
            // This machine is shared and loaded: an answer that takes two seconds here is not Redis failing.
            settings["State:Timeout"] = "00:00:10";
            adjust?.Invoke(settings);
            gateways.Add(gateway);
            all.Add(settings);
            relays.Add(await RelayTestHost.StartAsync(settings, time));
        }

        return new RelayFleet(folder, entra, office, redis, relays, gateways, all);
    }

    /// <summary>
    /// Relays in Queue mode for an app-flow account on one fake clock, shared with the fake Office 365. Leases outlive
    /// each step a test moves the clock by (real time never jumps), and no delivery gives up waiting for a connection.
    /// </summary>
    public static async Task<RelayFleet> StartQueuedAsync(int count, SignalingTimeProvider time)
    {
        var fleet = await StartAsync(count, s =>
        {
            s["Relay:DeliveryMode"] = "Queue";
            s["Accounts:office:Flow"] = "App";
            s["State:LeaseTime"] = "00:05:00";
            s["Upstream:ConnectionWaitTimeout"] = "01:00:00";
        }, time);
        fleet.Office.Clock = time;
        for (var relay = 0; relay < count; relay++)
            fleet[relay].Services.GetRequiredService<QueueManager>().Attempted += attempt => fleet._attempts.Writer.TryWrite(attempt);
        return fleet;
    }

    /// <summary>
    /// Waits until the queued relays have recorded each count of deliveries, moving the clock a minute after each but
    /// the last: only once recorded, as a relay counts a message's minute from when it saw Exchange take it.
    /// </summary>
    public async Task DeliveredMinuteByMinuteAsync(SignalingTimeProvider time, params int[] counts)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var recorded = 0;
        foreach (var count in counts)
        {
            while (recorded < count)
                if ((await _attempts.Reader.ReadAsync(timeout.Token)).Result == DeliveryAttempt.Delivered) recorded++;
            if (count != counts[^1]) time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>Every message arrived once, never more than 30 in a rolling minute, on at most 3 connections at once.</summary>
    public void AssertExchangeLimitsKept(int messages)
    {
        var arrivals = Office.Messages.Select(m => m.At).Order().ToList();
        Assert.Equal(messages, Office.Messages.Select(m => Encoding.UTF8.GetString(m.Content)).Distinct().Count());
        Assert.Equal(messages, arrivals.Count);
        Assert.All(arrivals, start => Assert.InRange(arrivals.Count(a => a >= start && a < start + TimeSpan.FromMinutes(1)), 1, 30));
        Assert.InRange(Office.MaxConcurrentConnections(Mailbox), 1, 3);
    }

    public TokenService Tokens(int relay) => this[relay].Services.GetRequiredService<TokenService>();

    public SharedStateStatus SharedState(int relay) => this[relay].Services.GetRequiredService<SharedStateStatus>();

    /// <summary>Sends one message as client "app" through the relay; the reply to the end of DATA.</summary>
    public async Task<SmtpTestReply> SendAsync(int relay, string subject)
    {
        await using var client = await this[relay].OpenAuthenticatedAsync();
        return await client.SendMessageAsync(Mailbox, Recipient, $"Subject: {subject}\r\n\r\nbody of {subject}\r\n");
    }

    /// <summary>GET /status of the relay, over HTTP.</summary>
    public async Task<JsonElement> StatusAsync(int relay)
    {
        using var http = new HttpClient();
        return await http.GetFromJsonAsync<JsonElement>(Admin(relay, "/status"));
    }

    /// <summary>GET /readyz of the relay: its status code.</summary>
    public async Task<int> ReadyAsync(int relay)
    {
        using var http = new HttpClient();
        return (int)(await http.GetAsync(Admin(relay, "/readyz"))).StatusCode;
    }

    /// <summary>GET /metrics of the relay: the samples by name.</summary>
    public async Task<Dictionary<string, double>> MetricsAsync(int relay)
    {
        using var http = new HttpClient();
        return PrometheusText.Parse(await http.GetStringAsync(Admin(relay, "/metrics")));
    }

    private string Admin(int relay, string path) => $"http://{this[relay].Services.GetRequiredService<AdminEndpoint>().EndPoint}{path}";

    /// <summary>Until the relay's shared state is in <paramref name="mode"/>.</summary>
    public Task WaitForSharedStateAsync(int relay, SharedStateMode mode)
    {
        var status = SharedState(relay);
        return EventWait.UntilAsync(() => status.Mode == mode, h => status.Changed += h, h => status.Changed -= h);
    }

    /// <summary>Until the relay shows the account in <paramref name="state"/> (its own observation or another replica's).</summary>
    public Task WaitForHealthAsync(int relay, TokenHealthState state)
    {
        var tokens = Tokens(relay);
        var account = tokens.Accounts.Single();
        return EventWait.UntilAsync(() => tokens.Health("office").State == state, h => account.Changed += h, h => account.Changed -= h);
    }

    /// <summary>
    /// The relay dies as a killed process would, as far as Redis can tell: its link to Redis is cut first, so it gives
    /// back none of its leases; then it stops.
    /// </summary>
    public async Task KillAsync(int relay)
    {
        Gateways[relay].Stop();
        await this[relay].DisposeAsync();
        relays[relay] = null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in relays.OfType<RelayTestHost>()) await relay.DisposeAsync();
        await Office.DisposeAsync();
        await Entra.DisposeAsync();
        await Redis.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}
