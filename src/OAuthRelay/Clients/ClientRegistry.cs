using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;
using OAuthRelay.Configuration;

namespace OAuthRelay.Clients;

/// <summary>
/// Answers "who is this client?" from the Clients section. The section is reloaded when the file changes: a valid
/// one applies to new sessions at once; an invalid one is logged in one line and the last good one stays in force.
/// </summary>
public sealed partial class ClientRegistry : IDisposable
{
    // Verified against when the user name is unknown, so that a miss costs the same time as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    private readonly IConfiguration _configuration;
    private readonly ConfigurationFileStatus _fileStatus;
    private readonly ClientRules _rules;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientRegistry> _logger;
    private readonly IDisposable _reloadRegistration;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new();
    private volatile IReadOnlyList<RelayClient> _clients;

    public ClientRegistry(IConfiguration configuration, ConfigurationFileStatus fileStatus, ClientRules rules, TimeProvider time, ILogger<ClientRegistry> logger)
    {
        _configuration = configuration;
        _fileStatus = fileStatus;
        _rules = rules;
        _time = time;
        _logger = logger;
        _clients = ClientConfigurationParser.Parse(configuration, rules); // a bad file at start stops the start
        _reloadRegistration = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    /// <summary>Raised after each reload attempt with null (applied) or the reason it was rejected.</summary>
    public event Action<string?>? Reloaded;

    public IReadOnlyList<RelayClient> Clients => _clients;

    public RelayClient? FindByCredentials(string userName, string password)
    {
        var client = _clients.FirstOrDefault(c => string.Equals(c.UserName, userName, StringComparison.OrdinalIgnoreCase));
        if (client?.PasswordHash is null)
        {
            PasswordHasher.Verify(password, DecoyHash.Value);
            return null;
        }

        return IsRememberedOrVerified(client.PasswordHash, userName, password) ? client : null;
    }

    public RelayClient? FindByNetwork(IPAddress? address)
    {
        if (address is null) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _clients.FirstOrDefault(c => c.Networks.Any(n => n.Contains(address)));
    }

    /// <summary>
    /// PBKDF2 is slow by design; an app that connects per message would pay it every time. A success is remembered
    /// for a few minutes under a keyed hash of user, password and stored hash (never the password), as Dovecot does.
    /// </summary>
    private bool IsRememberedOrVerified(string passwordHash, string userName, string password)
    {
        var key = Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes($"{userName}\0{password}\0{passwordHash}")));
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(key, out var until) && until > now) return true;
        if (!PasswordHasher.Verify(password, passwordHash)) return false;
        var lifetime = _configuration.GetSection("Relay").Get<RelayOptions>()?.CredentialCacheTime ?? new RelayOptions().CredentialCacheTime;
        _verified[key] = now + lifetime;
        return true;
    }

    private void Reload()
    {
        var error = _fileStatus.LastError;
        if (error is null)
        {
            try
            {
                var clients = ClientConfigurationParser.Parse(_configuration, _rules);
                _clients = clients;
                _verified.Clear();
                if (clients.Count == 0) LogReloadedWithoutClients();
                else LogReloaded(clients.Count);
                foreach (var client in clients.Where(c => c.UnavailableReason is not null)) LogUnavailable(client.Name, client.UnavailableReason!);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                error = e.Message;
            }
        }

        if (error is not null) LogRejected(error);
        Reloaded?.Invoke(error);
    }

    public void Dispose() => _reloadRegistration.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded: {Count} client(s) in force for new sessions")]
    private partial void LogReloaded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration reloaded with no clients: every connection is refused until clients are configured")]
    private partial void LogReloadedWithoutClients();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {Client} is refused until the relay restarts: {Reason}")]
    private partial void LogUnavailable(string client, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration change rejected, the last good configuration stays in force: {Error}")]
    private partial void LogRejected(string error);
}
