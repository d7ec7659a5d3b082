using Microsoft.Extensions.FileProviders;

namespace OAuthRelay.Configuration;

/// <summary>The relay's configuration sources, the same for the running relay and the CLI commands.</summary>
public static class RelayConfiguration
{
    public const string EnvironmentPrefix = "OAUTHRELAY__";

    /// <param name="configFile">The operator's JSON file; the running relay reloads it when its content changes (<see cref="ConfigurationFileWatcher"/>).</param>
    /// <param name="overrides">Settings laid over the file and the environment (tests).</param>
    /// <param name="status">Told about each load of the file; a failed reload is then ignored (the last good values stay).</param>
    public static IConfigurationBuilder AddRelaySources(this IConfigurationBuilder builder, string? configFile, IDictionary<string, string?>? overrides = null, ConfigurationFileStatus? status = null)
    {
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            builder.Add(new WatchedJsonFileSource
            {
                FullPath = path,
                FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!),
                Path = Path.GetFileName(path),
                Optional = false,
                OnLoadException = context => context.Ignore = status?.Record(context.Exception) ?? false,
            });
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null) builder.AddInMemoryCollection(overrides);
        return builder;
    }

    /// <summary>Whether <paramref name="exception"/> is the file failing to load (unreadable or not JSON), rather than a bug.</summary>
    public static bool IsLoadFailure(Exception exception) => exception is InvalidDataException or IOException or UnauthorizedAccessException;

    /// <summary>One line: which file, and what the JSON reader says is wrong with it (line and position).</summary>
    public static string DescribeLoadFailure(Exception exception) =>
        exception.GetBaseException() == exception ? exception.Message : $"{exception.Message} {exception.GetBaseException().Message}";

    /// <summary>The operator's file among the configuration's sources, or null when there is none (tests).</summary>
    public static WatchedJsonFileProvider? File(IConfiguration configuration) =>
        (configuration as IConfigurationRoot)?.Providers.OfType<WatchedJsonFileProvider>().SingleOrDefault();
}
