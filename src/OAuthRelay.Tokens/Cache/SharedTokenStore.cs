using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OAuthRelay.State;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tokens.Cache;

/// <summary>
/// The replicas' token store on the shared state: each account's sealed cache (<see cref="SharedTokenCache"/>) and its
/// latest published health (JSON, last writer wins), kept in memory here and read anew when a replica publishes.
/// </summary>
internal sealed class SharedTokenStore : ITokenStore, IAsyncDisposable
{
    private const string HealthPrefix = "health:";

    private readonly IVersionedValues _values;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PublishedHealth?> _health = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _publishing = new();
    private Task _published = Task.CompletedTask;

    public SharedTokenStore(IVersionedValues values, ILogger<TokenService> logger)
    {
        _values = values;
        _logger = logger;
        values.Changed += (name, version) =>
        {
            if (name.StartsWith(HealthPrefix, StringComparison.Ordinal)) _ = ReadHealthAsync(name[HealthPrefix.Length..]);
            else if (name.Length == 0) foreach (var account in _health.Keys) _ = ReadHealthAsync(account);
        };
    }

    public ITokenCacheStore CacheFor(string account, TokenCacheCipher cipher)
    {
        _health.TryAdd(account, null);
        _ = ReadHealthAsync(account);
        return new SharedTokenCache(_values, cipher, account, _logger);
    }

    /// <summary>Written in the background, one after the other, so the last observation is the one that stays.</summary>
    public void Publish(PublishedHealth health)
    {
        Keep(health);
        var json = JsonSerializer.SerializeToUtf8Bytes(health);
        lock (_publishing) _published = _published.ContinueWith(_ => _values.WriteAsync(HealthPrefix + health.Health.Account, json), TaskScheduler.Default).Unwrap();
    }

    public PublishedHealth? Published(string account) => _health.GetValueOrDefault(account);

    public event Action<string>? HealthPublished;

    private async Task ReadHealthAsync(string account)
    {
        if (await _values.ReadAsync(HealthPrefix + account) is not { Value: { } json }) return;
        try
        {
            if (JsonSerializer.Deserialize<PublishedHealth>(json) is { } health && Keep(health) == health) HealthPublished?.Invoke(account);
        }
        catch (JsonException)
        {
            // Not written by this version of the relay: the local health stands.
        }
    }

    /// <summary>What is still being published is written before the process goes (a CLI sign-in's "healthy").</summary>
    public async ValueTask DisposeAsync()
    {
        Task published;
        lock (_publishing) published = _published;
        await published;
    }

    /// <summary>Keeps the later of what is known and <paramref name="health"/>: notices and reads may arrive out of order.</summary>
    private PublishedHealth? Keep(PublishedHealth health) =>
        _health.AddOrUpdate(health.Health.Account, health, (_, known) => known is null || health.At >= known.At ? health : known);
}
