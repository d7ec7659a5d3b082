using System.Net;
using Microsoft.Extensions.Options;

namespace OAuthRelay.Clients;

/// <summary>Answers "who is this client?" from the current configuration; changes to the Clients section apply to new sessions.</summary>
public sealed class ClientRegistry(IOptionsMonitor<Dictionary<string, ClientOptions>> clients)
{
    // Verified against when the user name is unknown, so that a miss costs the same time as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    private (Dictionary<string, ClientOptions> Source, IReadOnlyList<RelayClient> Clients) _snapshot = ([], []);

    public RelayClient? FindByCredentials(string userName, string password)
    {
        var client = Current().FirstOrDefault(c => string.Equals(c.UserName, userName, StringComparison.OrdinalIgnoreCase));
        if (client?.PasswordHash is null)
        {
            PasswordHasher.Verify(password, DecoyHash.Value);
            return null;
        }

        return PasswordHasher.Verify(password, client.PasswordHash) ? client : null;
    }

    public RelayClient? FindByNetwork(IPAddress? address)
    {
        if (address is null) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return Current().FirstOrDefault(c => c.Networks.Any(n => n.Contains(address)));
    }

    /// <summary>The enabled clients of the configuration now in force, parsed once per configuration change.</summary>
    private IReadOnlyList<RelayClient> Current()
    {
        var source = clients.CurrentValue;
        var snapshot = _snapshot;
        if (ReferenceEquals(snapshot.Source, source)) return snapshot.Clients;
        var parsed = source.Where(c => c.Value.Enabled)
            .Select(c => new RelayClient(c.Key, c.Value.UserName, c.Value.PasswordHash, c.Value.Networks.Select(IPNetwork.Parse).ToList()))
            .ToList();
        _snapshot = (source, parsed);
        return parsed;
    }
}
