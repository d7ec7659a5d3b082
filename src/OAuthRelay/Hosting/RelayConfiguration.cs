using Microsoft.Extensions.Configuration;

namespace OAuthRelay.Hosting;

/// <summary>The relay's configuration sources, the same for the running relay and the CLI commands.</summary>
public static class RelayConfiguration
{
    public const string EnvironmentPrefix = "OAUTHRELAY__";

    /// <param name="configFile">The operator's JSON file; reloaded when it changes.</param>
    /// <param name="overrides">Settings laid over the file and the environment (tests).</param>
    public static IConfigurationBuilder AddRelaySources(this IConfigurationBuilder builder, string? configFile, IDictionary<string, string?>? overrides = null)
    {
        if (configFile is not null) builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: true);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null) builder.AddInMemoryCollection(overrides);
        return builder;
    }
}
