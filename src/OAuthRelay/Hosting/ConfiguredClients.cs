using OAuthRelay.Clients;
using OAuthRelay.Delivery;

namespace OAuthRelay.Hosting;

/// <summary>The clients of a configuration file, checked as the relay would check them at start.</summary>
internal static class ConfiguredClients
{
    public static IReadOnlyList<RelayClient> Parse(IConfiguration configuration) =>
        ClientConfigurationParser.Parse(configuration, (configuration.GetSection("Delivery").Get<DeliveryOptions>() ?? new DeliveryOptions()).ClientRules(null));
}
