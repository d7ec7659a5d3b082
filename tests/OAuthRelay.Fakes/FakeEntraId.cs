using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OAuthRelay.Listeners;

namespace OAuthRelay.Fakes;

/// <summary>
/// A fake Entra ID token endpoint: HTTPS on 127.0.0.1 (port 0) with a test certificate, serving
/// /{tenant}/oauth2/v2.0/token (refresh_token, client_credentials, authorization_code, device_code) and /devicecode
/// with Microsoft-shaped answers. Refresh tokens rotate on every use. Each access token is remembered with what a real
/// one carries: its user, expiry, audience (the resource of the requested scope) and permissions (the app's roles for
/// client credentials, <see cref="AppRoles"/>; the requested delegated scopes otherwise). It counts requests and can
/// be told to fail, hold requests, or revoke every refresh token.
/// </summary>
public sealed class FakeEntraId : IAsyncDisposable
{
    public const string UserName = "relay@contoso.test";
    public const string ClientSecret = "fake-client-secret-value-0123456789";
    public const string AuthorizationCode = "fake-authorization-code";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new(); // refresh token -> its user
    private readonly ConcurrentDictionary<string, IssuedAccessToken> _accessTokens = new();
    private readonly ConcurrentQueue<string> _issued = new();
    private readonly Lock _requestsGate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _requestWaiters = [];
    private int _requests;
    private TaskCompletionSource? _hold;

    private FakeEntraId(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
    }

    public string Uid { get; } = Guid.NewGuid().ToString();

    public string TenantId { get; } = Guid.NewGuid().ToString();

    public Uri BaseAddress { get; private set; } = null!;

    public int TokenRequests
    {
        get
        {
            lock (_requestsGate) return _requests;
        }
    }

    public int AccessTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>An access token as the fake issued it: whose, until when, for which API, with which permissions.</summary>
    public sealed record IssuedAccessToken(string User, DateTimeOffset Expires, string Audience, IReadOnlySet<string> Permissions, bool AppOnly);

    /// <summary>The application permissions granted (with admin consent) per resource, put as roles into app-only tokens.</summary>
    public Dictionary<string, HashSet<string>> AppRoles { get; } = new()
    {
        ["https://graph.microsoft.com"] = ["Mail.Send", "Mail.ReadWrite"],
        ["https://outlook.office365.com"] = ["SMTP.SendAsApp", "IMAP.AccessAsApp", "POP.AccessAsApp"],
    };

    /// <summary>When set, every token request gets this status, error and AADSTS code.</summary>
    public (int Status, string Error, int Code)? Failure { get; set; }

    /// <summary>Sent as Retry-After with <see cref="Failure"/> answers.</summary>
    public int? RetryAfterSeconds { get; set; }

    /// <summary>Who signs in through the device code and authorization code flows (the person at the browser).</summary>
    public string SignInUser { get; set; } = UserName;

    /// <summary>The refresh token presented with the last refresh_token grant.</summary>
    public string? LastPresentedRefreshToken { get; private set; }

    /// <summary>Every token the fake has handed out, for leak checks.</summary>
    public IReadOnlyCollection<string> IssuedSecrets => _issued;

    public static async Task<FakeEntraId> StartAsync()
    {
        var certificate = CertificateProvider.CreateSelfSigned("localhost");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var fake = new FakeEntraId(app, certificate);
        app.MapPost("/{tenant}/oauth2/v2.0/token", fake.TokenAsync);
        app.MapPost("/{tenant}/oauth2/v2.0/devicecode", fake.DeviceCode);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First());
        return fake;
    }

    /// <summary>The fake's HTTPS certificate as PEM, for a relay's Tokens:TrustedCaFile.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>An access token for the mailbox user, as a client going straight to Office 365 would hold (benchmark).</summary>
    public string IssueAccessToken(string user = UserName, string scope = "https://outlook.office.com/SMTP.Send", bool app = false)
    {
        var token = "fake-at-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s.Contains("://")).ToList();
        var audience = scopes.Select(s => s[..s.LastIndexOf('/')]).FirstOrDefault() ?? "";
        IReadOnlySet<string> permissions = app
            ? AppRoles.GetValueOrDefault(audience)?.ToHashSet() ?? []
            : scopes.Select(s => s[(s.LastIndexOf('/') + 1)..]).ToHashSet();
        _accessTokens[token] = new IssuedAccessToken(user, DateTimeOffset.UtcNow.AddSeconds(AccessTokenLifetimeSeconds), audience, permissions, app);
        _issued.Enqueue(token);
        return token;
    }

    /// <summary>A refresh token as the seed's curl procedure would have produced it, for the mailbox user or another.</summary>
    public string IssueRefreshToken(string user = UserName) => NewRefreshToken(user);

    public void RevokeAllRefreshTokens() => _refreshTokens.Clear();

    /// <summary>From now on, token requests wait until <see cref="Release"/>.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    /// <summary>Completes once <paramref name="count"/> token requests have arrived in all (bounded in time).</summary>
    public Task WaitForRequestsAsync(int count)
    {
        lock (_requestsGate)
        {
            if (_requests >= count) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _requestWaiters.Add((count, reached));
            return reached.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    /// <summary>Whether <paramref name="token"/> is a live access token this fake issued for <paramref name="user"/>.</summary>
    public bool IsValidAccessToken(string token, string user) => Live(token) is { } issued && issued.User == user;

    /// <summary>What a live access token this fake issued carries; null for an unknown or expired one.</summary>
    public IssuedAccessToken? Live(string token) =>
        _accessTokens.TryGetValue(token, out var issued) && issued.Expires > DateTimeOffset.UtcNow ? issued : null;

    private async Task<IResult> TokenAsync(HttpContext context, string tenant)
    {
        lock (_requestsGate)
        {
            _requests++;
            foreach (var waiter in _requestWaiters.Where(w => w.Count <= _requests).ToList())
            {
                waiter.Reached.TrySetResult();
                _requestWaiters.Remove(waiter);
            }
        }

        if (_hold is { } hold) await hold.Task;
        var form = await context.Request.ReadFormAsync();
        if (Failure is var (status, error, code))
        {
            if (RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString();
            return Error(status, error, code);
        }

        var secret = form["client_secret"].ToString();
        if (secret.Length > 0 && secret != ClientSecret) return Error(401, "invalid_client", 7000215);

        var grant = form["grant_type"].ToString();
        switch (grant)
        {
            case "client_credentials":
                return Issue(form["scope"].ToString(), UserName, withRefreshToken: false, app: true);
            case "refresh_token":
                var presented = form["refresh_token"].ToString();
                LastPresentedRefreshToken = presented;
                if (!_refreshTokens.TryRemove(presented, out var user)) return Error(400, "invalid_grant", 70008);
                return Issue(form["scope"].ToString(), user, withRefreshToken: true);
            case "authorization_code" when form["code"] == AuthorizationCode:
            case "device_code" or "urn:ietf:params:oauth:grant-type:device_code" when form["device_code"] == "fake-device-code":
                return Issue(form["scope"].ToString(), SignInUser, withRefreshToken: true);
            default:
                return Error(400, "invalid_grant", 70000);
        }
    }

    private IResult DeviceCode() => Results.Json(new Dictionary<string, object>
    {
        ["device_code"] = "fake-device-code",
        ["user_code"] = "FAKE-CODE",
        ["verification_uri"] = "https://microsoft.com/devicelogin",
        ["expires_in"] = 900,
        ["interval"] = 1,
        ["message"] = "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-CODE to authenticate.",
    });

    private IResult Issue(string scope, string user, bool withRefreshToken, bool app = false)
    {
        var accessToken = IssueAccessToken(user, scope, app);
        var body = new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["scope"] = scope.Replace("offline_access", "").Replace("openid", "").Replace("profile", "").Trim(),
            ["expires_in"] = AccessTokenLifetimeSeconds,
            ["ext_expires_in"] = AccessTokenLifetimeSeconds,
            ["access_token"] = accessToken,
        };
        if (withRefreshToken)
        {
            body["refresh_token"] = NewRefreshToken(user);
            body["client_info"] = Base64Url(JsonSerializer.Serialize(new { uid = UidOf(user), utid = TenantId }));
            body["id_token"] = IdToken(user);
        }

        return Results.Json(body);
    }

    private string NewRefreshToken(string user)
    {
        var token = "fake-rt-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _refreshTokens[token] = user;
        _issued.Enqueue(token);
        return token;
    }

    /// <summary>The mailbox user's object id is <see cref="Uid"/>; any other user gets one derived from the name.</summary>
    private string UidOf(string user) => user == UserName ? Uid : new Guid(MD5.HashData(Encoding.UTF8.GetBytes(user))).ToString();

    private string IdToken(string user)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["aud"] = "client",
            ["iss"] = $"https://login.microsoftonline.com/{TenantId}/v2.0",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 3600,
            ["oid"] = UidOf(user),
            ["sub"] = UidOf(user),
            ["tid"] = TenantId,
            ["preferred_username"] = user,
            ["name"] = user,
            ["ver"] = "2.0",
        });
        return $"{Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Base64Url(payload)}.";
    }

    /// <summary>An Entra-shaped error; code 0 means none (throttling and outages carry no AADSTS code).</summary>
    private static IResult Error(int status, string error, int code)
    {
        var body = new Dictionary<string, object>
        {
            ["error"] = error,
            ["error_description"] = code == 0 ? "Service unavailable." : $"AADSTS{code}: fake failure.",
            ["timestamp"] = DateTime.UtcNow.ToString("u"),
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        };
        if (code != 0) body["error_codes"] = new[] { code };
        return Results.Json(body, statusCode: status);
    }

    private static string Base64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
