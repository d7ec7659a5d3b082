using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using OAuthRelay.Tokens.Cache;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Tokens.Health;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OAuthRelay.Tokens;

/// <summary>
/// One account's tokens: served from memory until they enter the refresh margin; then one refresh at a time for the
/// whole account (callers queue behind it and take its result). A refresh that fails does not take a valid token
/// away: it is served until a safety minute before it expires, while health says what is wrong and back-off (or
/// the server's Retry-After) decides when to ask again. Health also carries what Exchange said of the tokens.
/// With shared state the refresh is also one at a time across the replicas, and health is the latest any observed.
/// </summary>
internal sealed partial class TokenAccount
{
    /// <summary>A token is not handed out for less than this: the upstream must still accept it when it arrives.</summary>
    internal static readonly TimeSpan SafetyMargin = TimeSpan.FromMinutes(1);

    private readonly IClientApplicationBase _app;
    private readonly ITokenCacheStore _cache;
    private readonly ITokenStore _store;
    private readonly TokenLeases _leases;
    private readonly TokenServiceOptions _settings;
    private readonly Func<string?> _certificateRefusal;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, HeldToken> _tokens = new();
    private readonly ConcurrentDictionary<string, UpstreamRefusal> _refusals = new();

    private long _loadsActedOn; // the cache's Loads when this account last used MSAL under its gate
    private int _failures;
    private long _requests;
    private long _failedRequests;
    private long _upstreamRefusals;
    private DateTimeOffset _retryNotBefore;
    private AccountHealth _tokenHealth;
    private DateTimeOffset _tokenHealthObserved = DateTimeOffset.MinValue;
    private bool _shortLifetimeLogged;
    private bool _fromEntraId;
    private TimeSpan? _issuedLifetime;

    public TokenAccount(string name, AccountOptions options, IClientApplicationBase app, ITokenCacheStore cache, ITokenStore store, TokenLeases leases,
        TokenServiceOptions settings, Func<string?> certificateRefusal, TimeProvider time, ILogger logger)
    {
        Name = name;
        Options = options;
        _app = app;
        _cache = cache;
        _store = store;
        _leases = leases;
        _settings = settings;
        _certificateRefusal = certificateRefusal;
        _time = time;
        _logger = logger;
        _tokenHealth = new AccountHealth(name, TokenHealthState.Healthy, null, "No token requested yet.", time.GetUtcNow());
        store.HealthPublished += published =>
        {
            if (string.Equals(published, name, StringComparison.OrdinalIgnoreCase)) Changed?.Invoke();
        };
    }

    /// <summary>Raised after every token request, sign-in and upstream verdict, and when another replica published the account's health, so the renewer can plan again.</summary>
    public event Action? Changed;

    public string Name { get; }

    public AccountOptions Options { get; }

    /// <summary>What the operator needs to know: the token side first, then what the upstream said of the tokens.</summary>
    public AccountHealth Health
    {
        get
        {
            // A later observation of another replica stands, but a Healthy one does not hide that this one found no
            // sign-in in the cache (which it does not publish): the account's user may have changed, the cache gone.
            var token = _store.Published(Name) is { } published && published.At > _tokenHealthObserved
                        && !(published.Health.State == TokenHealthState.Healthy && _tokenHealth.ErrorCode == FailureClassifier.NoAccount)
                ? published.Health
                : _tokenHealth;
            if (token.State != TokenHealthState.Healthy) return token;
            var refusals = _refusals.Values.OrderBy(r => r.Since).ToList();
            return refusals.Count == 0 ? token
                : new AccountHealth(Name, TokenHealthState.Unauthorized, refusals[0].Code, string.Join(" ", refusals.Select(r => r.Action)), refusals[0].Since);
        }
    }

    /// <summary>The user the account's tokens were issued to (delegated), once known; null for the app flow or before a sign-in.</summary>
    public string? SignedInAs { get; private set; }

    /// <summary>The MSAL application, for calls that need no token (the authorization URL).</summary>
    public IClientApplicationBase App => _app;

    /// <summary>Why a token is wanted: the cached one will do, the upstream refused one, or the refresh token must be renewed.</summary>
    public enum Need
    {
        Cached,
        Replacement,
        Renewal,
    }

    /// <summary>Token requests made (to MSAL, not answered from memory) and failed, upstream refusals, and when the held tokens expire.</summary>
    public TokenUsage Usage => new(Name, Interlocked.Read(ref _requests), Interlocked.Read(ref _failedRequests), Interlocked.Read(ref _upstreamRefusals),
        _tokens.Values.Select(t => (DateTimeOffset?)t.Token.ExpiresOn).Min(), SignedInAs);

    public async Task<AccessToken> GetAsync(TokenResource resource, Need need, AccessToken? rejected, CancellationToken cancellationToken)
    {
        if (need == Need.Cached && !CacheChanged && TryFresh(resource, out var token)) return token;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Another process (the CLI, another replica) signed in or out or refreshed: what is held in memory no longer stands.
            if (CacheChanged) await ForgetSignInsOfOthersAsync();
            // Whoever held the gate before us may have fetched exactly what we need.
            if (need == Need.Cached && TryFresh(resource, out token)) return token;
            if (need == Need.Replacement && Usable(resource) is { } replaced && replaced.Token != rejected!.Token) return replaced;

            // A held token that is still valid is served whatever happens to its refresh; a refused one never is.
            var fallback = need == Need.Cached ? Usable(resource) : null;
            if (_time.GetUtcNow() < _retryNotBefore) return fallback ?? throw new TokenUnavailableException(Health);
            Interlocked.Increment(ref _requests);
            try
            {
                token = await AcquireSharedAsync(resource, need, rejected, cancellationToken);
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                var unavailable = Failed(e, fallback);
                return fallback ?? throw unavailable;
            }

            Hold(resource, token);
            Succeeded(firsthand: _fromEntraId);
            return token;
        }
        finally
        {
            ReleaseGate();
            Changed?.Invoke();
        }
    }

    /// <summary>
    /// Runs a sign-in (import, device code, authorization code) under the account's gate. A token for another user
    /// than <see cref="AccountOptions.ExpectedUser"/> is removed again and refused; the right one replaces every
    /// earlier sign-in in the cache.
    /// </summary>
    public async Task<SignInResult> SignInAsync(Func<IClientApplicationBase, string[], Task<AuthenticationResult>> signIn, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            AuthenticationResult result;
            try
            {
                result = await signIn(_app, TokenResource.ForSignIn(Options));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw Failed(e, fallback: null);
            }

            Observe(result);
            var user = result.Account?.Username;
            if (Options.Flow == AccountFlow.Delegated)
            {
                if (!string.Equals(user, Options.ExpectedUser, StringComparison.OrdinalIgnoreCase))
                {
                    if (result.Account is not null) await _app.RemoveAsync(result.Account);
                    throw new WrongUserSignedInException(Name, user, Options.ExpectedUser);
                }

                foreach (var earlier in (await _app.GetAccountsAsync()).Where(a => a.HomeAccountId?.Identifier != result.Account!.HomeAccountId?.Identifier))
                    await _app.RemoveAsync(earlier);
                SignedInAs = user;
            }

            ForgetHeldTokens();
            _refusals.Clear();
            Succeeded(firsthand: true);
            return new SignInResult(Name, user ?? Options.ClientId, result.Scopes.ToList(), result.ExpiresOn);
        }
        finally
        {
            ReleaseGate();
            Changed?.Invoke();
        }
    }

    /// <summary>Removes the account's cached tokens (sign-out): the account needs a new sign-in, here and in a running relay.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await RemoveMsalAccountsAsync();
            await _cache.DeleteAsync();
            ForgetHeldTokens();
            SignedInAs = null;
            SetTokenHealth(TokenHealthState.NeedsSignIn, "signed_out", $"Signed out with logout. {SignInCommand.SignInAgain(Name)}");
        }
        finally
        {
            ReleaseGate();
            Changed?.Invoke();
        }
    }

    /// <summary>Whether the account has its user signed in (delegated) or needs none (app).</summary>
    public async Task<bool> HasSignInAsync() =>
        Options.Flow == AccountFlow.App || (await _app.GetAccountsAsync()).Any(a => string.Equals(a.Username, Options.ExpectedUser, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// When the renewer should next look at this account: when a held token enters its refresh margin, when the
    /// back-off after a failure ends, or soon (to notice a sign-in by the CLI) while the account has no usable sign-in,
    /// now if one has appeared. Null: nothing to do until something changes.
    /// </summary>
    public DateTimeOffset? NextCheck()
    {
        var state = _tokenHealth.State;
        if (state == TokenHealthState.NeedsSignIn) return _time.GetUtcNow() + (CacheChanged ? TimeSpan.Zero : CachePollInterval);
        if (state is TokenHealthState.Degraded or TokenHealthState.Misconfigured) return _retryNotBefore;
        return _tokens.Values.Select(t => (DateTimeOffset?)(t.Token.ExpiresOn - Margin(t))).Min();
    }

    /// <summary>The resources whose tokens are held (refreshed ahead of time), or the one the account sends through.</summary>
    public IEnumerable<TokenResource> ResourcesInUse => _tokens.IsEmpty ? [PrimaryResource] : _tokens.Values.Select(t => t.Resource).ToList();

    /// <summary>The resource the account signs in for: Graph for a Graph account, else Exchange for its first protocol.</summary>
    public TokenResource PrimaryResource =>
        Options.Transport == AccountTransport.Graph ? TokenResource.Graph(Options) : TokenResource.For(Options.Protocols.FirstOrDefault());

    /// <summary>A sign-in is needed and none has appeared on disk since: trying again would only repeat the refusal.</summary>
    public bool WaitingForSignIn => _tokenHealth.State == TokenHealthState.NeedsSignIn && !CacheChanged && _time.GetUtcNow() < _retryNotBefore;

    /// <summary>The API <paramref name="resource"/> stands for refused this account's token even after a fresh one.</summary>
    public void UpstreamRefused(TokenResource resource, string code, string reply, string action)
    {
        Interlocked.Increment(ref _upstreamRefusals);
        var refusal = new UpstreamRefusal(resource, code, $"{resource.Name} upstream refused the token ({reply}). {action}", _time.GetUtcNow());
        if (_refusals.TryGetValue(resource.Name, out var known) && known.Code == code) return;
        _refusals[resource.Name] = refusal;
        LogUpstreamRefused(Name, resource.Name, reply, action);
        Changed?.Invoke();
    }

    /// <summary>The resources whose API refuses this account's tokens now.</summary>
    public IReadOnlyCollection<TokenResource> RefusedResources => _refusals.Values.Select(r => r.Resource).ToList();

    /// <summary>The API <paramref name="resource"/> stands for accepted this account's token.</summary>
    public void UpstreamAccepted(TokenResource resource)
    {
        if (!_refusals.TryRemove(resource.Name, out _)) return;
        LogUpstreamAccepted(Name, resource.Name);
        Changed?.Invoke();
    }

    private static readonly TimeSpan CachePollInterval = TimeSpan.FromSeconds(5);

    /// <summary>Whatever MSAL loaded while the gate was held, this account has acted on.</summary>
    private void ReleaseGate()
    {
        Interlocked.Exchange(ref _loadsActedOn, _cache.Loads);
        _gate.Release();
    }

    /// <summary>
    /// Another process (the CLI, another replica) signed in or out or refreshed since this account last acted on the
    /// cache: a change not yet loaded, or one some other call loaded into MSAL meanwhile.
    /// </summary>
    private bool CacheChanged => _cache.ChangedByOthers() || _cache.Loads != Interlocked.Read(ref _loadsActedOn);

    private bool TryFresh(TokenResource resource, out AccessToken token)
    {
        token = null!;
        if (!_tokens.TryGetValue(resource.Name, out var held) || held.Token.ExpiresOn - Margin(held) <= _time.GetUtcNow()) return false;
        token = held.Token;
        return true;
    }

    private AccessToken? Usable(TokenResource resource) =>
        _tokens.TryGetValue(resource.Name, out var held) && held.Token.ExpiresOn - SafetyMargin > _time.GetUtcNow() ? held.Token : null;

    /// <summary>How long before expiry a token is renewed: the configured margin, or half its life if it lives shorter than twice that.</summary>
    private TimeSpan Margin(HeldToken held)
    {
        var half = (held.Token.ExpiresOn - held.Obtained) / 2;
        return half < _settings.RefreshMargin ? half : _settings.RefreshMargin;
    }

    private void Hold(TokenResource resource, AccessToken token)
    {
        var held = new HeldToken(resource, token, _time.GetUtcNow());
        _tokens[resource.Name] = held;
        var lifetime = token.ExpiresOn - held.Obtained;
        if (lifetime >= _settings.RefreshMargin * 2 || _shortLifetimeLogged) return;
        _shortLifetimeLogged = true;
        LogShortLifetime(Name, lifetime, _settings.RefreshMargin);
    }

    private async Task ForgetSignInsOfOthersAsync()
    {
        ForgetHeldTokens();
        if (!await _cache.ExistsAsync()) await RemoveMsalAccountsAsync();
    }

    /// <summary>
    /// Empties MSAL's memory of every signed-in user through its own API: loading an empty cache into it is not enough,
    /// it keeps redeeming the refresh tokens it held (seen with MSAL 4.92 confidential clients).
    /// </summary>
    private async Task RemoveMsalAccountsAsync()
    {
        foreach (var account in await _app.GetAccountsAsync()) await _app.RemoveAsync(account);
    }

    private void ForgetHeldTokens()
    {
        _tokens.Clear();
        _retryNotBefore = default;
        _failures = 0;
    }

    /// <summary>
    /// A token from MSAL under the account's refresh lease. If another replica held the lease, it has just got a token
    /// and written the shared cache: a token is taken from there if it will do, and only a token the upstream refused is
    /// replaced; a renewal still redeems the refresh token.
    /// </summary>
    private async Task<AccessToken> AcquireSharedAsync(TokenResource resource, Need need, AccessToken? rejected, CancellationToken cancellationToken)
    {
        await using var lease = await _leases.RefreshAsync(Name, cancellationToken);
        if (!lease.WaitedForAnother) return await AcquireAsync(resource, force: need != Need.Cached || _tokens.ContainsKey(resource.Name), cancellationToken);
        ForgetHeldTokens();
        var token = await AcquireAsync(resource, force: need == Need.Renewal, cancellationToken);
        return need == Need.Replacement && token.Token == rejected!.Token ? await AcquireAsync(resource, force: true, cancellationToken) : token;
    }

    private async Task<AccessToken> AcquireAsync(TokenResource resource, bool force, CancellationToken cancellationToken)
    {
        var scopes = resource.Scopes(Options.Flow);
        if (Options.Flow == AccountFlow.App)
        {
            var app = (IConfidentialClientApplication)_app;
            var result = await app.AcquireTokenForClient(scopes).WithForceRefresh(force).ExecuteAsync(cancellationToken);
            if (!force && NearExpiry(result)) result = await app.AcquireTokenForClient(scopes).WithForceRefresh(true).ExecuteAsync(cancellationToken);
            return ToAccessToken(result);
        }

        // The account's own user, never merely the first one in the cache.
        var account = (await _app.GetAccountsAsync()).FirstOrDefault(a => string.Equals(a.Username, Options.ExpectedUser, StringComparison.OrdinalIgnoreCase))
                      ?? throw new NoCachedAccountException(Name, Options.ExpectedUser);
        SignedInAs = account.Username;
        var silent = await _app.AcquireTokenSilent(scopes, account).WithForceRefresh(force).ExecuteAsync(cancellationToken);
        // MSAL renews 5 minutes before expiry; the relay wants its own, larger margin.
        if (!force && NearExpiry(silent)) silent = await _app.AcquireTokenSilent(scopes, account).WithForceRefresh(true).ExecuteAsync(cancellationToken);
        return ToAccessToken(silent);
    }

    // MSAL states expiry on the system clock; the relay decides on its TimeProvider (the same clock in production,
    // a moved one in tests), so the remaining lifetime is carried over.
    private AccessToken ToAccessToken(AuthenticationResult result)
    {
        Observe(result);
        return new AccessToken(Name, result.AccessToken, _time.GetUtcNow() + (result.ExpiresOn - DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// Remembers whether the token came fresh from the token endpoint (not from MSAL's cache), and if so how long Entra
    /// ID's tokens live.
    /// </summary>
    private void Observe(AuthenticationResult result)
    {
        _fromEntraId = result.AuthenticationResultMetadata?.TokenSource == TokenSource.IdentityProvider;
        if (_fromEntraId) _issuedLifetime = result.ExpiresOn - DateTimeOffset.UtcNow;
    }

    /// <summary>Whether a token MSAL has cached is already inside the margin (half the issued lifetime for short-lived tokens).</summary>
    private bool NearExpiry(AuthenticationResult result)
    {
        var margin = _issuedLifetime is { } lifetime && lifetime / 2 < _settings.RefreshMargin ? lifetime / 2 : _settings.RefreshMargin;
        return result.ExpiresOn - DateTimeOffset.UtcNow <= margin;
    }

    private void Succeeded(bool firsthand)
    {
        _failures = 0;
        _retryNotBefore = default;
        SetTokenHealth(TokenHealthState.Healthy, null, "Tokens are being obtained.", firsthand);
    }

    private TokenUnavailableException Failed(Exception exception, AccessToken? fallback)
    {
        var failure = FailureClassifier.Classify(exception, Name, _certificateRefusal());
        Interlocked.Increment(ref _failedRequests);
        if (!failure.Throttled) _failures++;
        var wait = failure.State == TokenHealthState.Degraded
            ? failure.RetryAfter ?? TimeSpan.FromTicks(Math.Min(_settings.MaxBackoff.Ticks, _settings.InitialBackoff.Ticks << Math.Clamp(_failures - 1, 0, 20)))
            : _settings.MaxBackoff;
        _retryNotBefore = _time.GetUtcNow() + wait;
        var action = fallback is null ? failure.Action : $"{failure.Action} Until then the current access token is used; it expires {fallback.ExpiresOn:u}.";
        SetTokenHealth(failure.State, failure.ErrorCode, action);
        LogAttemptFailed(Name, failure.State, failure.ErrorCode, exception.GetType().Name, wait);
        return new TokenUnavailableException(Health);
    }

    /// <param name="firsthand">
    /// Learnt from Entra ID or from what the cache holds, not from a cached token merely being served: only that is
    /// published to the other replicas, and only that answers a later, different observation of another replica (the
    /// latest firsthand observation wins). Finding no sign-in in the cache is not published either: every replica reads
    /// the same cache, and when a sign-in was lost the replica that lost it publishes why (Entra ID's 70008), which
    /// tells the operator more; published late, it would lose to the others' "no sign-in" found meanwhile.
    /// </param>
    private void SetTokenHealth(TokenHealthState state, string? code, string action, bool firsthand = true)
    {
        var before = _tokenHealth;
        var publishable = firsthand && code != FailureClassifier.NoAccount;
        var contradicted = publishable && _store.Published(Name) is { } published && published.At > _tokenHealthObserved
                           && (published.Health.State != state || published.Health.ErrorCode != code);
        if (before.State == state && before.ErrorCode == code && before.Action == action && !contradicted) return;
        _tokenHealth = new AccountHealth(Name, state, code, action, before.State == state ? before.Since : _time.GetUtcNow());
        if (publishable)
        {
            _tokenHealthObserved = _time.GetUtcNow();
            _store.Publish(new PublishedHealth(_tokenHealth, _tokenHealthObserved));
        }

        if (before.State == state && before.ErrorCode == code) return;
        if (state == TokenHealthState.Healthy) LogRecovered(Name, before.State);
        else LogHealthChanged(Name, state, code, action);
    }

    private sealed record HeldToken(TokenResource Resource, AccessToken Token, DateTimeOffset Obtained);

    private sealed record UpstreamRefusal(TokenResource Resource, string Code, string Action, DateTimeOffset Since);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {Account} token health is now {State} ({Code}): {Action}")]
    private partial void LogHealthChanged(string account, TokenHealthState state, string? code, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Account} token health is now Healthy (was {Previous})")]
    private partial void LogRecovered(string account, TokenHealthState previous);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Account {Account}: token request failed, {State} ({Code}, {Error}); next attempt in {Wait}")]
    private partial void LogAttemptFailed(string account, TokenHealthState state, string? code, string error, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {Account}: access tokens live only {Lifetime}, less than twice Tokens:RefreshMargin ({Margin}); they are renewed when half their life is left")]
    private partial void LogShortLifetime(string account, TimeSpan lifetime, TimeSpan margin);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {Account}: the {Resource} upstream refuses the relay's token ({Reply}). {Action}")]
    private partial void LogUpstreamRefused(string account, string resource, string reply, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Account}: the {Resource} upstream accepts the relay's token again")]
    private partial void LogUpstreamAccepted(string account, string resource);
}
