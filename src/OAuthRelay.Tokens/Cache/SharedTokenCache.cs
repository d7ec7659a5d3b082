using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using OAuthRelay.State;

namespace OAuthRelay.Tokens.Cache;

/// <summary>
/// One account's MSAL cache in Redis, shared by the replicas and sealed before it leaves the process (the same cipher
/// as the file, so every replica needs the same Tokens:CacheKey). Each access reads the latest version first; a change
/// is written only if nobody wrote since that version, so a refresh token another replica rotated meanwhile is never
/// overwritten by this replica's older view: the write is dropped, and the newer cache is read at the next access.
/// While Redis is unreachable MSAL goes on with what it holds in memory; a change made then is written when Redis
/// answers again, if nobody wrote meanwhile.
/// </summary>
internal sealed partial class SharedTokenCache : ITokenCacheStore
{
    private readonly IVersionedValues _values;
    private readonly TokenCacheCipher _cipher;
    private readonly string _account;
    private readonly ILogger _logger;
    private long _version; // what MSAL's memory holds; 0: nothing stored
    private long _noticed; // the latest version another replica announced
    private volatile bool _unknown = true; // notices may have been missed (at start, after Redis was away)
    private long _loads;
    private byte[]? _unsaved;

    public SharedTokenCache(IVersionedValues values, TokenCacheCipher cipher, string account, ILogger logger)
    {
        _values = values;
        _cipher = cipher;
        _account = account;
        _logger = logger;
        values.Changed += (name, version) =>
        {
            if (version is null) _unknown = true;
            else if (name == Name) AtomicMax.Raise(ref _noticed, version.Value);
        };
    }

    /// <summary>The value's name in the shared state.</summary>
    public string Name => $"tokens:{_account}";

    public void Attach(ITokenCache cache)
    {
        cache.SetBeforeAccessAsync(BeforeAccessAsync);
        cache.SetAfterAccessAsync(AfterAccessAsync);
    }

    public bool ChangedByOthers() => _unknown || Interlocked.Read(ref _noticed) > Interlocked.Read(ref _version);

    public long Loads => Interlocked.Read(ref _loads);

    public async Task<bool> ExistsAsync() => await _values.ReadAsync(Name) is not { Value: null };

    public Task DeleteAsync() => _values.DeleteAsync(Name);

    private async Task BeforeAccessAsync(TokenCacheNotificationArgs args)
    {
        if (_unsaved is { } unsaved && await SaveAsync(unsaved) == WriteOutcome.Unavailable) return;
        // Cleared before the read, so that Redis going away again while it is under way is not forgotten.
        var unknown = _unknown;
        _unknown = false;
        var noticed = Interlocked.Read(ref _noticed);
        if (await _values.ReadAsync(Name) is not { } stored)
        {
            if (unknown) _unknown = true;
            return; // Redis is away: MSAL goes on with what it holds
        }

        // Announced before the read yet newer than what it found: Redis lost the value (a restart without persistence,
        // a flush) and counts from 0 again. Left as it is, the cache would stay "changed" until the count caught up.
        if (stored.Version < noticed) Interlocked.CompareExchange(ref _noticed, stored.Version, noticed);

        if (stored.Version == Interlocked.Read(ref _version)) return;
        args.TokenCache.DeserializeMsalV3(stored.Value is null ? "{}"u8.ToArray() : _cipher.Open(stored.Value, $"value {Name} in Redis"), shouldClearExistingCache: true);
        Interlocked.Exchange(ref _version, stored.Version);
        Interlocked.Increment(ref _loads);
    }

    private async Task AfterAccessAsync(TokenCacheNotificationArgs args)
    {
        if (args.HasStateChanged) await SaveAsync(args.TokenCache.SerializeMsalV3());
    }

    private async Task<WriteOutcome> SaveAsync(byte[] plain)
    {
        var result = await _values.TryWriteAsync(Name, Interlocked.Read(ref _version), _cipher.Seal(plain));
        _unsaved = result.Outcome == WriteOutcome.Unavailable ? plain : null;
        if (result.Outcome == WriteOutcome.Written)
        {
            Interlocked.Exchange(ref _version, result.Version);
        }
        else if (result.Outcome == WriteOutcome.Conflict)
        {
            AtomicMax.Raise(ref _noticed, result.Version);
            LogConflict(_account, result.Version);
        }

        return result.Outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Account}: another replica wrote the shared token cache first (version {Version}); this replica's change is dropped and the newer cache used")]
    private partial void LogConflict(string account, long version);
}
