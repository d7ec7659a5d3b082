using OAuthRelay.Clients;
using OAuthRelay.Configuration;
using OAuthRelay.Delivery;
using OAuthRelay.Listeners;
using OAuthRelay.Mailbox.Server;
using OAuthRelay.Observability;
using OAuthRelay.Smtp.Server;
using OAuthRelay.Spool;
using OAuthRelay.State;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.Hosting;

/// <summary>The sections the relay binds, in the order check-config prints them. Only Clients and Relay apply on reload.</summary>
internal static class RelaySections
{
    public static readonly IReadOnlyList<SettingsSection> All =
    [
        new("Listeners", typeof(Dictionary<string, ListenerOptions>), ReadAtStartOnly: true),
        new("Smtp", typeof(SmtpServerOptions), ReadAtStartOnly: true),
        new("Mailbox", typeof(MailboxServerOptions), ReadAtStartOnly: true),
        new("Clients", typeof(Dictionary<string, ClientOptions>), ReadAtStartOnly: false),
        new("Relay", typeof(RelayOptions), ReadAtStartOnly: false),
        new("Delivery", typeof(DeliveryOptions), ReadAtStartOnly: true),
        new("Upstream", typeof(UpstreamOptions), ReadAtStartOnly: true),
        new("Spool", typeof(SpoolOptions), ReadAtStartOnly: true),
        new("Accounts", typeof(Dictionary<string, AccountOptions>), ReadAtStartOnly: true),
        new("Tokens", typeof(TokenServiceOptions), ReadAtStartOnly: true),
        new("State", typeof(StateOptions), ReadAtStartOnly: true),
        new("Admin", typeof(AdminOptions), ReadAtStartOnly: true),
        new("Configuration", typeof(ConfigurationFileOptions), ReadAtStartOnly: true),
    ];
}
