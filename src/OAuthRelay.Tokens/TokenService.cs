using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using OAuthRelay.State;
using OAuthRelay.Tokens.Cache;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Tokens.Health;
using OAuthRelay.Tokens.Msal;

namespace OAuthRelay.Tokens;

/// <summary>
/// Office 365 access tokens for the configured accounts, with their health; all requests through MSAL. Caches and
/// health are kept by the token store (files, or Redis shared by the replicas).
/// </summary>
public sealed class TokenService
{
    private readonly Dictionary<string, TokenAccount> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly TokenLeases _leases;

    internal TokenService(
        IOptions<Dictionary<string, AccountOptions>> accounts,
        IOptions<TokenServiceOptions> options,
        IOptions<StateOptions> state,
        ITokenStore store,
        ILeases leases,
        MsalApplicationFactory applications,
        IMsalHttpClientFactory httpClients,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger<TokenService>();
        _leases = new TokenLeases(leases, state.Value.LeaseTime);
        if (accounts.Value.Count == 0) return;
        // Replicas must all open each other's caches: their key is configured, never made here.
        var key = state.Value.IsShared
            ? TokenCacheKey.ReadConfigured(settings) ?? throw new InvalidOperationException(TokenCacheKey.SharedKeyMissing)
            : TokenCacheKey.Load(settings, logger);
        foreach (var (name, account) in accounts.Value)
        {
            var cache = store.CacheFor(name, new TokenCacheCipher(key, name));
            var app = applications.Create(name, account, cache);
            _accounts[name] = new TokenAccount(name, account, app, cache, store, _leases, settings, () => (httpClients as MsalHttpClientFactory)?.LastRefusal, time, logger);
        }
    }

    public IReadOnlyCollection<string> AccountNames => _accounts.Keys;

    public AccountOptions Options(string account) => Find(account).Options;

    /// <summary>A token for the account and resource, from memory while it has more than the refresh margin left.</summary>
    /// <exception cref="TokenUnavailableException">No token can be had now; its Health says why.</exception>
    public Task<AccessToken> GetAccessTokenAsync(string account, TokenResource resource, CancellationToken cancellationToken = default) =>
        Find(account).GetAsync(resource, TokenAccount.Need.Cached, null, cancellationToken);

    /// <summary>A token other than <paramref name="rejected"/>, which the upstream refused; concurrent callers share one refresh.</summary>
    public Task<AccessToken> ReplaceAccessTokenAsync(string account, TokenResource resource, AccessToken rejected, CancellationToken cancellationToken = default) =>
        Find(account).GetAsync(resource, TokenAccount.Need.Replacement, rejected, cancellationToken);

    /// <summary>The resource the account signs in for: Graph for a Graph account, else Exchange for its first protocol.</summary>
    public TokenResource PrimaryResource(string account) => Find(account).PrimaryResource;

    /// <summary>Redeems the refresh token now, so the stored one is replaced by a fresh one (keeps 90-day inactivity away).</summary>
    public Task RenewAsync(string account, CancellationToken cancellationToken = default)
    {
        var target = Find(account);
        return target.GetAsync(target.PrimaryResource, TokenAccount.Need.Renewal, null, cancellationToken);
    }

    public Task<bool> HasSignInAsync(string account) => Find(account).HasSignInAsync();

    /// <summary>True for the one replica that renews the account's refresh token this interval (always, for one relay).</summary>
    internal Task<bool> ClaimRenewalAsync(string account, TimeSpan interval, CancellationToken cancellationToken) =>
        _leases.ClaimRenewalAsync(account, interval, cancellationToken);

    /// <summary>Removes the account's cached tokens: it needs a new sign-in (also in a relay running on the same cache).</summary>
    public Task LogoutAsync(string account, CancellationToken cancellationToken = default) => Find(account).LogoutAsync(cancellationToken);

    /// <summary>The API of a resource refused the account's token even after a fresh one: health says so, with the action.</summary>
    public void UpstreamRefused(string account, TokenResource resource, string code, string reply, string action) => Find(account).UpstreamRefused(resource, code, reply, action);

    /// <summary>The API of a resource accepted the account's token: an earlier refusal no longer stands.</summary>
    public void UpstreamAccepted(string account, TokenResource resource) => Find(account).UpstreamAccepted(resource);

    /// <summary>Every account and resource whose API refuses the account's tokens now.</summary>
    public IReadOnlyList<(string Account, TokenResource Resource)> UpstreamRefusals() =>
        _accounts.Values.SelectMany(a => a.RefusedResources.Select(r => (a.Name, r))).ToList();

    internal IReadOnlyCollection<TokenAccount> Accounts => _accounts.Values;

    public AccountHealth Health(string account) => Find(account).Health;

    public IReadOnlyList<AccountHealth> AllHealth() => _accounts.Values.Select(a => a.Health).ToList();

    public IReadOnlyList<TokenUsage> AllUsage() => _accounts.Values.Select(a => a.Usage).ToList();

    /// <summary>Redeems a refresh token obtained elsewhere (the seed's curl procedure) and stores what comes back.</summary>
    public Task<SignInResult> ImportRefreshTokenAsync(string account, string refreshToken, CancellationToken cancellationToken = default) =>
        Find(account).SignInAsync((app, scopes) => ((IByRefreshToken)app).AcquireTokenByRefreshToken(scopes, refreshToken).ExecuteAsync(cancellationToken), cancellationToken);

    /// <summary>Device code sign-in (public client apps): <paramref name="show"/> gets the URL and code to give the user.</summary>
    public Task<SignInResult> SignInWithDeviceCodeAsync(string account, Func<DeviceCodePrompt, Task> show, CancellationToken cancellationToken = default) =>
        Find(account).SignInAsync((app, scopes) => app is IPublicClientApplication pub
            ? pub.AcquireTokenWithDeviceCode(scopes, code => show(new DeviceCodePrompt(code.UserCode, code.VerificationUrl, code.ExpiresOn, Find(account).Options.ExpectedUser, code.Message))).ExecuteAsync(cancellationToken)
            : throw new InvalidOperationException($"Account {account} has a client secret or certificate: device code sign-in needs a public client app (remove the secret and allow public client flows in Entra ID), or use --auth-code."),
            cancellationToken);

    /// <summary>The URL a user opens to sign in for the authorization code flow (confidential apps, as in the seed).</summary>
    public async Task<Uri> AuthorizationUrlAsync(string account, CancellationToken cancellationToken = default)
    {
        var target = Find(account);
        var app = target.App as IConfidentialClientApplication ?? throw AuthCodeNeedsSecret(account);
        // The login hint preselects the account's user; the sign-in is checked against it again when the code comes back.
        return await app.GetAuthorizationRequestUrl(TokenResource.ForSignIn(target.Options)).WithLoginHint(target.Options.ExpectedUser)
            .WithPrompt(Prompt.SelectAccount).ExecuteAsync(cancellationToken);
    }

    /// <summary>Redeems the code from the redirect after sign-in.</summary>
    public Task<SignInResult> RedeemAuthorizationCodeAsync(string account, string code, CancellationToken cancellationToken = default) =>
        Find(account).SignInAsync((app, scopes) => app is IConfidentialClientApplication confidential
            ? confidential.AcquireTokenByAuthorizationCode(scopes, code).ExecuteAsync(cancellationToken)
            : throw AuthCodeNeedsSecret(account), cancellationToken);

    private static InvalidOperationException AuthCodeNeedsSecret(string account) =>
        new($"Account {account} has no client secret or certificate: the authorization code flow needs a web (confidential) app; use --device-code for public clients.");

    private TokenAccount Find(string account) =>
        _accounts.TryGetValue(account, out var found) ? found : throw new ArgumentException($"No account named '{account}' in the configuration (section Accounts).", nameof(account));
}
