using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Primitives;
using OAuthRelay.Configuration;

namespace OAuthRelay.Clients;

/// <summary>
/// Answers "who is this client?" from the Clients section. The section is reloaded when the file changes: a valid
/// one applies to new sessions at once; an invalid one is logged in one line and the last good one stays in force.
/// </summary>
public sealed partial class ClientRegistry : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ConfigurationFileStatus _fileStatus;
    private readonly ClientRules _rules;
    private readonly ILogger<ClientRegistry> _logger;
    private readonly IDisposable _reloadRegistration;
    private readonly ConcurrentDictionary<int, string> _decoys = new();
    private volatile IReadOnlyList<RelayClient> _clients;

    public ClientRegistry(IConfiguration configuration, ConfigurationFileStatus fileStatus, ClientRules rules, ILogger<ClientRegistry> logger)
    {
        _configuration = configuration;
        _fileStatus = fileStatus;
        _rules = rules;
        _logger = logger;
        _clients = ClientConfigurationParser.Parse(configuration, rules); // a bad file at start stops the start
        _reloadRegistration = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    /// <summary>Raised after each reload attempt with null (applied) or the reason it was rejected.</summary>
    public event Action<string?>? Reloaded;

    public IReadOnlyList<RelayClient> Clients => _clients;

    public RelayClient? FindByUserName(string userName) =>
        _clients.FirstOrDefault(c => string.Equals(c.UserName, userName, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A hash no password matches, with the highest iteration count among the clients' hashes: an unknown user name is
    /// checked against it, so that it costs the same time as a wrong password for a known one.
    /// </summary>
    public string DecoyHash
    {
        get
        {
            var iterations = _clients.Select(c => c.PasswordHash is { } hash ? PasswordHasher.Iterations(hash) : 0).DefaultIfEmpty().Max();
            return _decoys.GetOrAdd(Math.Max(iterations, PasswordHasher.MinimumIterations), PasswordHasher.Decoy);
        }
    }

    public RelayClient? FindByNetwork(IPAddress? address)
    {
        if (address is null) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _clients.FirstOrDefault(c => c.Networks.Any(n => n.Contains(address)));
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
