using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Clients;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tokens;

namespace OAuthRelay.Tests.Relay;

/// <summary>
/// The relay in pass-through mode between a legacy client and the fake Office 365, tokens from the fake Entra ID.
/// Client "app" authenticates as <see cref="RelayTestHost.UserName"/> and sends as the account's mailbox with XOAUTH2;
/// client "basic" has OAuth off and its own credentials go upstream. IMAP and POP3 listeners (STARTTLS and implicit
/// TLS) splice to the fake Office 365 IMAP and POP3 servers. Started with <see cref="StartGraphAsync"/>, account
/// "office" sends through the fake Microsoft Graph instead.
/// </summary>
public sealed class RelayRig : IAsyncDisposable
{
    public const string BasicUser = "basic@contoso.test";
    public const string BasicPassword = "basic-password-9";

    private readonly string _folder;

    private RelayRig(FakeEntraId entra, FakeOffice365 office, FakeOffice365Imap imap, FakeOffice365Pop3 pop3, RelayTestHost relay, string folder, FakeGraph? graph)
    {
        Graph = graph;
        Entra = entra;
        Office = office;
        Imap = imap;
        Pop3 = pop3;
        Relay = relay;
        _folder = folder;
    }

    public FakeEntraId Entra { get; }

    public FakeOffice365 Office { get; }

    public FakeOffice365Imap Imap { get; }

    public FakeOffice365Pop3 Pop3 { get; }

    public RelayTestHost Relay { get; }

    /// <summary>The fake Microsoft Graph account "office" sends through (<see cref="StartGraphAsync"/>), else null.</summary>
    public FakeGraph? Graph { get; }

    /// <summary>Messages the upstream took as the account: over SMTP with XOAUTH2 and through Graph.</summary>
    public int DeliveredAsAccount => Office.Messages.Count(m => m.Mechanism == "XOAUTH2") + (Graph?.Messages.Count ?? 0);

    public string Mailbox => FakeEntraId.UserName;

    /// <summary>All settings of the rig, as configuration keys; a test may change or add some.</summary>
    public static Dictionary<string, string?> Settings(FakeEntraId entra, FakeOffice365 office, FakeOffice365Imap imap, FakeOffice365Pop3 pop3, string folder)
    {
        var caFile = Path.Combine(folder, "upstream-ca.pem");
        File.WriteAllText(caFile, FakeCertificate.Pem);
        var entraCaFile = Path.Combine(folder, "entra-ca.pem");
        File.WriteAllText(entraCaFile, entra.CertificatePem);
        var settings = UpstreamRelaySettings.For(entra.BaseAddress, entraCaFile, office.EndPoint.Port, caFile, folder);
        settings["Upstream:Imap:Host"] = "127.0.0.1";
        settings["Upstream:Imap:Port"] = imap.EndPoint.Port.ToString();
        settings["Upstream:Pop3:Host"] = "127.0.0.1";
        settings["Upstream:Pop3:Port"] = pop3.EndPoint.Port.ToString();
        settings["Clients:app:UserName"] = RelayTestHost.UserName;
        settings["Clients:app:PasswordHash"] = RelayTestHost.PasswordHash;
        settings["Clients:app:Account"] = "office";
        settings["Clients:basic:UserName"] = BasicUser;
        settings["Clients:basic:PasswordHash"] = BasicHash.Value;
        settings["Clients:basic:OAuth"] = "false";
        settings["Clients:basic:AllowedSenders:0"] = BasicUser;
        return settings;
    }

    private static readonly Lazy<string> BasicHash = new(() => PasswordHasher.Hash(BasicPassword, PasswordHasher.MinimumIterations));

    /// <summary>The rig with account "office" on Transport Graph, towards a fake Graph that trusts the fake Entra ID's tokens.</summary>
    public static async Task<RelayRig> StartGraphAsync(Action<Dictionary<string, string?>>? adjust = null, TimeProvider? time = null, Action<FakeEntraId>? prepareEntra = null)
    {
        var entra = await FakeEntraId.StartAsync();
        prepareEntra?.Invoke(entra);
        var graph = await FakeGraph.StartAsync(entra);
        return await StartAsync(s =>
        {
            s["Accounts:office:Transport"] = "Graph";
            s["Accounts:office:GraphBaseUrl"] = graph.ApiBase.ToString();
            adjust?.Invoke(s);
        }, time: time, entra: entra, graph: graph);
    }

    public static async Task<RelayRig> StartAsync(Action<Dictionary<string, string?>>? adjust = null, Func<Dictionary<string, string?>, string>? writeConfigFile = null, TimeProvider? time = null,
        FakeEntraId? entra = null, FakeGraph? graph = null)
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-relay-").FullName;
        entra ??= await FakeEntraId.StartAsync();
        var office = new FakeOffice365(entra) { BasicUsers = { [BasicUser] = BasicPassword } };
        var imap = new FakeOffice365Imap(entra) { BasicUsers = { [BasicUser] = BasicPassword } };
        var pop3 = new FakeOffice365Pop3(entra) { BasicUsers = { [BasicUser] = BasicPassword } };
        var settings = Settings(entra, office, imap, pop3, folder);
        settings["Mailbox:HostName"] = "relay.test";
        settings["Mailbox:AuthFailureDelay"] = "00:00:00";
        foreach (var (name, protocol, tls) in new[] { ("main", "Smtp", "StartTls"), ("imap", "Imap", "StartTls"), ("imaps", "Imap", "Implicit"), ("pop3", "Pop3", "StartTls"), ("pop3s", "Pop3", "Implicit") })
        {
            settings[$"Listeners:{name}:Address"] = "127.0.0.1";
            settings[$"Listeners:{name}:Port"] = "0";
            settings[$"Listeners:{name}:Protocol"] = protocol;
            settings[$"Listeners:{name}:Tls"] = tls;
        }

        adjust?.Invoke(settings);
        var configFile = writeConfigFile?.Invoke(settings);
        var relay = await RelayTestHost.StartAsync(
            configFile is null ? settings : new Dictionary<string, string?>(),
            time,
            configFile);
        await relay.Services.GetRequiredService<TokenService>().ImportRefreshTokenAsync("office", entra.IssueRefreshToken());
        return new RelayRig(entra, office, imap, pop3, relay, folder, graph);
    }

    public async ValueTask DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Office.DisposeAsync();
        await Imap.DisposeAsync();
        await Pop3.DisposeAsync();
        if (Graph is not null) await Graph.DisposeAsync();
        await Entra.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
