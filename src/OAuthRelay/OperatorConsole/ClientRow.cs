using OAuthRelay.Clients;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// A client as the Clients page shows it: how it is recognised, its account, and for OAuth and delivery mode both
/// its own setting ("inherit" when it has none) and the value in effect.
/// </summary>
internal sealed record ClientRow(
    string Name,
    string RecognisedBy,
    string? Account,
    string OAuthSetting,
    bool OAuth,
    string ModeSetting,
    DeliveryMode Mode,
    bool Enabled)
{
    public const string Inherit = "inherit";

    /// <summary>Every client in the configuration, disabled ones too, in file order.</summary>
    public static IReadOnlyList<ClientRow> All(IConfiguration configuration)
    {
        var relay = configuration.GetSection("Relay").Get<RelayOptions>() ?? new RelayOptions();
        return configuration.GetSection("Clients").GetChildren().Select(section =>
        {
            var client = section.Get<ClientOptions>() ?? new ClientOptions();
            return new ClientRow(
                section.Key,
                client.UserName ?? (client.Networks.Count > 0 ? string.Join(", ", client.Networks) : "-"),
                client.Account,
                client.OAuth is { } oauth ? OnOff(oauth) : Inherit,
                client.OAuth ?? relay.OAuth,
                client.DeliveryMode?.ToString() ?? Inherit,
                client.DeliveryMode ?? relay.DeliveryMode,
                client.Enabled);
        }).ToList();
    }

    public static string OnOff(bool value) => value ? "on" : "off";
}
