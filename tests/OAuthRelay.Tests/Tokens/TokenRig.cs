using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tokens;

namespace OAuthRelay.Tests.Tokens;

/// <summary>A token service pointed at a fake Entra ID, with its own cache folder and key; can be "restarted".</summary>
public sealed class TokenRig : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("oauthrelay-tokens-").FullName;
    private readonly Dictionary<string, string?> _settings;
    private ServiceProvider _services = null!;

    private TokenRig(FakeEntraId entra, Dictionary<string, string?> settings)
    {
        // The fake's certificate is trusted the way an operator trusts a private CA, unless a test says otherwise.
        if (!settings.ContainsKey("Tokens:TrustedCaFile"))
        {
            settings["Tokens:TrustedCaFile"] = Path.Combine(_folder, "entra-ca.pem");
            File.WriteAllText(settings["Tokens:TrustedCaFile"]!, entra.CertificatePem);
        }

        Entra = entra;
        _settings = settings;
        Restart();
    }

    public FakeEntraId Entra { get; }

    public SignalingTimeProvider Time { get; } = new();

    public LogCollector Logs { get; private set; } = null!;

    public TokenService Tokens { get; private set; } = null!;

    public string CacheFile(string account = "mailbox") => Path.Combine(_folder, "tokens", account + ".tokens");

    /// <summary>One delegated account "mailbox" (confidential, with the fake's secret) unless settings say otherwise.</summary>
    public static async Task<TokenRig> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var entra = await FakeEntraId.StartAsync();
        var all = new Dictionary<string, string?>
        {
            ["Accounts:mailbox:Mailbox"] = FakeEntraId.UserName,
            ["Accounts:mailbox:AuthorityHost"] = entra.BaseAddress.ToString(),
            ["Accounts:mailbox:Tenant"] = "contoso.test",
            ["Accounts:mailbox:ClientId"] = "11111111-2222-3333-4444-555555555555",
            ["Accounts:mailbox:ClientSecret"] = FakeEntraId.ClientSecret,
            ["Tokens:CacheKey"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 7 + 1)).ToArray()),
            ["Tokens:InitialBackoff"] = "00:00:05",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        return new TokenRig(entra, all);
    }

    /// <summary>A new token service on the same cache file and key, as after a process restart.</summary>
    public void Restart()
    {
        _services?.Dispose();
        Logs = new LogCollector();
        _services = Build(Logs);
        Tokens = _services.GetRequiredService<TokenService>();
    }

    /// <summary>A second token service on the same cache file and key, as another process (the CLI) would run.</summary>
    public OtherProcess Another() => new(Build(Logs));

    private ServiceProvider Build(LogCollector logs)
    {
        _settings["Tokens:CacheDirectory"] = Path.Combine(_folder, "tokens");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(Time);
        services.AddTokenService(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A token service of its own, on the rig's cache.</summary>
    public sealed class OtherProcess(ServiceProvider services) : IDisposable
    {
        public TokenService Tokens { get; } = services.GetRequiredService<TokenService>();

        public void Dispose() => services.Dispose();
    }

    /// <summary>Imports a refresh token fresh from the fake, as an operator would after the seed's curl step.</summary>
    public Task<SignInResult> ImportAsync(string account = "mailbox") => Tokens.ImportRefreshTokenAsync(account, Entra.IssueRefreshToken());

    /// <summary>No token, refresh token or secret the fake ever issued appears in any log line.</summary>
    public void AssertNoSecretsLogged()
    {
        var logs = Logs.All;
        foreach (var secret in Entra.IssuedSecrets.Append(FakeEntraId.ClientSecret)) Assert.DoesNotContain(secret, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Entra.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
