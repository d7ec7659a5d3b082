using System.Net;
using OAuthRelay.Configuration;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Clients;

/// <summary>Binds and checks the Clients section; any mistake is reported as one message naming the client and the setting.</summary>
internal static class ClientConfigurationParser
{
    public static IReadOnlyList<RelayClient> Parse(IConfiguration configuration, ClientRules rules)
    {
        // The binder would silently drop a client whose value does not convert ("OAuth": "maybe").
        if (SettingValues.Problems(configuration.GetSection("Clients"), typeof(Dictionary<string, ClientOptions>)).FirstOrDefault() is { } problem)
            throw new InvalidOperationException(problem);
        var clients = configuration.GetSection("Clients").Get<Dictionary<string, ClientOptions>>() ?? [];
        var relay = configuration.GetSection("Relay").Get<RelayOptions>() ?? new RelayOptions();
        var accounts = configuration.GetSection("Accounts").Get<Dictionary<string, AccountOptions>>() ?? [];
        var parsed = new List<RelayClient>();
        foreach (var (name, client) in clients.Where(c => c.Value.Enabled))
        {
            if (client.UserName is null && client.Networks.Count == 0)
                throw Invalid(name, "needs UserName and PasswordHash, or Networks");
            if (client.UserName is not null && (client.PasswordHash is null || !PasswordHasher.IsWellFormed(client.PasswordHash)))
                throw Invalid(name, "PasswordHash is missing or not a hash from `hash-password`");
            var networks = new List<IPNetwork>();
            foreach (var network in client.Networks)
                networks.Add(IPNetwork.TryParse(network, out var parsedNetwork) ? parsedNetwork : throw Invalid(name, $"Networks entry '{network}' is not a CIDR network"));
            AccountOptions? account = null;
            if (client.Account is not null && !accounts.TryGetValue(client.Account, out account))
                throw Invalid(name, $"Account '{client.Account}' is not under Accounts");
            var oauth = client.OAuth ?? relay.OAuth;
            if (rules.OAuthNeedsAccount && oauth && account is null)
                throw Invalid(name, "sends upstream with OAuth but names no Account (or set OAuth to false to pass its own credentials)");
            var mode = client.DeliveryMode ?? relay.DeliveryMode;
            if (rules.OAuthNeedsAccount && mode == DeliveryMode.Queue && !oauth && client.UserName is not null)
                throw Invalid(name, "queues its messages with OAuth off: the relay would have to keep the client's password with each message; use PassThrough or OAuth");
            var senders = client.AllowedSenders.Count > 0 ? client.AllowedSenders
                : account is { Mailbox.Length: > 0 } ? [account.Mailbox]
                : ["*"];
            parsed.Add(new RelayClient(name, client.UserName, client.PasswordHash, networks, client.Account, oauth,
                new SenderPolicy(senders), client.MaxMessageSize, client.MaxRecipients, mode) { UnavailableReason = Unservable(client.Account, rules) });
        }

        var duplicate = parsed.Where(c => c.UserName is not null).GroupBy(c => c.UserName!, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"Clients {string.Join(" and ", duplicate.Select(c => c.Name))} share the user name {duplicate.Key}.");
        return parsed;
    }

    /// <summary>An account in the file but not in the running token service was added after the start: kept, but refused until a restart.</summary>
    private static string? Unservable(string? account, ClientRules rules) =>
        account is not null && rules.ServableAccounts is { } servable && !servable.Contains(account)
            ? $"account '{account}' was added after the relay started; restart the relay to use it"
            : null;

    private static InvalidOperationException Invalid(string client, string problem) => new($"Client '{client}': {problem}.");
}
