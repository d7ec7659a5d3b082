using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OAuthRelay.Clients;

/// <summary>
/// Remembers successful password checks for a few minutes, as Dovecot's auth cache does: an app that connects per
/// message would otherwise pay the deliberately slow hash every time. Keyed by an HMAC (random per-process key) of
/// user, password and stored hash, never the password; a changed hash in the configuration no longer matches.
/// </summary>
internal sealed class CredentialCache(TimeProvider time)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new();

    public bool Contains(string userName, string password, string passwordHash) =>
        _verified.TryGetValue(Key(userName, password, passwordHash), out var until) && until > time.GetUtcNow();

    public void Add(string userName, string password, string passwordHash, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero) return;
        var now = time.GetUtcNow();
        if (_verified.Count > 10_000) foreach (var expired in _verified.Where(e => e.Value <= now)) _verified.TryRemove(expired);
        _verified[Key(userName, password, passwordHash)] = now + lifetime;
    }

    public void Clear() => _verified.Clear();

    private string Key(string userName, string password, string passwordHash) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{userName.ToLowerInvariant()}\0{password}\0{passwordHash}")));
}
