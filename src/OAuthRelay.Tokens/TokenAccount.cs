using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using OAuthRelay.Connections;
using OAuthRelay.Tokens.Cache;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Tokens.Health;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OAuthRelay.Tokens;

/// <summary>
/// One account's tokens: served from memory while they have more than the margin left; otherwise one request at a
/// time for the whole account (callers queue behind it and take its result); after a failure, back-off and health.
/// </summary>
internal sealed partial class TokenAccount
{
    private readonly IClientApplicationBase _app;
    private readonly EncryptedTokenCacheFile _cacheFile;
    private readonly TokenServiceOptions _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<MailProtocol, AccessToken> _tokens = new();

    private int _failures;
    private long _requests;
    private long _failedRequests;
    private DateTimeOffset _retryNotBefore;
    private DateTime _cacheWriteTimeAtFailure;

    public TokenAccount(string name, AccountOptions options, IClientApplicationBase app, EncryptedTokenCacheFile cacheFile, TokenServiceOptions settings, TimeProvider time, ILogger logger)
    {
        Name = name;
        Options = options;
        _app = app;
        _cacheFile = cacheFile;
        _settings = settings;
        _time = time;
        _logger = logger;
        Health = new AccountHealth(name, TokenHealthState.Healthy, null, "No token requested yet.", time.GetUtcNow());
    }

    public string Name { get; }

    public AccountOptions Options { get; }

    public AccountHealth Health { get; private set; }

    /// <summary>The MSAL application, for calls that need no token (the authorization URL).</summary>
    public IClientApplicationBase App => _app;

    /// <summary>Why a token is wanted: the cached one will do, the upstream refused one, or the refresh token must be renewed.</summary>
    public enum Need
    {
        Cached,
        Replacement,
        Renewal,
    }

    /// <summary>Token requests made (to MSAL, not answered from memory) and failed, and when the held tokens expire.</summary>
    public TokenUsage Usage => new(Name, Interlocked.Read(ref _requests), Interlocked.Read(ref _failedRequests),
        _tokens.Values.Select(t => (DateTimeOffset?)t.ExpiresOn).Min());

    public async Task<AccessToken> GetAsync(MailProtocol protocol, Need need, AccessToken? rejected, CancellationToken cancellationToken)
    {
        if (need != Need.Renewal && TryMemory(protocol, rejected, out var token)) return token;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Whoever held the gate before us may have fetched exactly what we need.
            if (need != Need.Renewal && TryMemory(protocol, rejected, out token)) return token;
            ThrowIfBackingOff();
            // A token we hold but may no longer use (near expiry, or refused) is replaced by a real refresh, not MSAL's cache.
            var force = need != Need.Cached || _tokens.ContainsKey(protocol);
            Interlocked.Increment(ref _requests);
            token = await AcquireAsync(protocol, force, cancellationToken);
            _tokens[protocol] = token;
            Succeeded();
            return token;
        }
        catch (Exception e) when (e is not TokenUnavailableException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Failed(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a sign-in (import, device code, authorization code) under the account's gate and records it.</summary>
    public async Task<SignInResult> SignInAsync(Func<IClientApplicationBase, string[], Task<AuthenticationResult>> signIn, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var result = await signIn(_app, OfficeScopes.ForSignIn(Options));
            _tokens.Clear();
            Succeeded();
            return new SignInResult(Name, result.Account?.Username ?? Options.Mailbox, result.Scopes.ToList(), result.ExpiresOn);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failed(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether the account has a signed-in user to renew (delegated) or needs none (app).</summary>
    public async Task<bool> HasSignInAsync() => Options.Flow == AccountFlow.App || (await _app.GetAccountsAsync()).Any();

    private bool TryMemory(MailProtocol protocol, AccessToken? rejected, out AccessToken token)
    {
        token = _tokens.GetValueOrDefault(protocol)!;
        return token is not null && token.Token != rejected?.Token && token.ExpiresOn - _settings.RefreshMargin > _time.GetUtcNow();
    }

    private async Task<AccessToken> AcquireAsync(MailProtocol protocol, bool force, CancellationToken cancellationToken)
    {
        var scopes = OfficeScopes.For(Options, protocol);
        if (Options.Flow == AccountFlow.App)
        {
            var app = (IConfidentialClientApplication)_app;
            var result = await app.AcquireTokenForClient(scopes).WithForceRefresh(force).ExecuteAsync(cancellationToken);
            if (!force && NearExpiry(result)) result = await app.AcquireTokenForClient(scopes).WithForceRefresh(true).ExecuteAsync(cancellationToken);
            return ToAccessToken(result);
        }

        var account = (await _app.GetAccountsAsync()).FirstOrDefault() ?? throw new NoCachedAccountException(Name);
        var silent = await _app.AcquireTokenSilent(scopes, account).WithForceRefresh(force).ExecuteAsync(cancellationToken);
        // MSAL renews 5 minutes before expiry; the relay wants its own, larger margin.
        if (!force && NearExpiry(silent)) silent = await _app.AcquireTokenSilent(scopes, account).WithForceRefresh(true).ExecuteAsync(cancellationToken);
        return ToAccessToken(silent);
    }

    // MSAL states expiry on the system clock; the relay decides on its TimeProvider (the same clock in production,
    // a moved one in tests), so the remaining lifetime is carried over.
    private AccessToken ToAccessToken(AuthenticationResult result) =>
        new(Name, result.AccessToken, _time.GetUtcNow() + (result.ExpiresOn - DateTimeOffset.UtcNow));

    private bool NearExpiry(AuthenticationResult result) => result.ExpiresOn - DateTimeOffset.UtcNow <= _settings.RefreshMargin;

    private void ThrowIfBackingOff()
    {
        if (_time.GetUtcNow() >= _retryNotBefore) return;
        // A new sign-in written by another process (the CLI) ends the wait at once.
        if (CacheWriteTime() != _cacheWriteTimeAtFailure) return;
        throw new TokenUnavailableException(Health);
    }

    private void Succeeded()
    {
        _failures = 0;
        _retryNotBefore = default;
        SetHealth(TokenHealthState.Healthy, null, "Tokens are being obtained.");
    }

    private TokenUnavailableException Failed(Exception exception)
    {
        var failure = FailureClassifier.Classify(exception, Name);
        _failures++;
        Interlocked.Increment(ref _failedRequests);
        var wait = failure.State == TokenHealthState.Degraded
            ? failure.RetryAfter ?? TimeSpan.FromTicks(Math.Min(_settings.MaxBackoff.Ticks, _settings.InitialBackoff.Ticks << Math.Min(_failures - 1, 20)))
            : _settings.MaxBackoff;
        _retryNotBefore = _time.GetUtcNow() + wait;
        _cacheWriteTimeAtFailure = CacheWriteTime();
        SetHealth(failure.State, failure.ErrorCode, failure.Action);
        LogAttemptFailed(Name, failure.State, failure.ErrorCode, exception.GetType().Name, wait);
        return new TokenUnavailableException(Health);
    }

    private DateTime CacheWriteTime() => File.Exists(_cacheFile.Path) ? File.GetLastWriteTimeUtc(_cacheFile.Path) : default;

    private void SetHealth(TokenHealthState state, string? code, string action)
    {
        var before = Health;
        if (before.State == state && before.ErrorCode == code) return;
        Health = new AccountHealth(Name, state, code, action, _time.GetUtcNow());
        if (state == TokenHealthState.Healthy) LogRecovered(Name, before.State);
        else LogHealthChanged(Name, state, code, action);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {Account} token health is now {State} ({Code}): {Action}")]
    private partial void LogHealthChanged(string account, TokenHealthState state, string? code, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Account} token health is now Healthy (was {Previous})")]
    private partial void LogRecovered(string account, TokenHealthState previous);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Account {Account}: token request failed, {State} ({Code}, {Error}); next attempt in {Wait}")]
    private partial void LogAttemptFailed(string account, TokenHealthState state, string? code, string error, TimeSpan wait);
}
