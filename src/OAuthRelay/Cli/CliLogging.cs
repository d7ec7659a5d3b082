using System.CommandLine;

namespace OAuthRelay.Cli;

/// <summary>
/// The one-off commands log warnings and errors only: what the operator reads is their output. <c>--verbose</c>
/// restores the configured levels (Information by default).
/// </summary>
internal static class CliLogging
{
    public static Option<bool> VerboseOption() => new("--verbose")
    {
        Description = "Commands other than running the relay: log at the configured levels, not only warnings",
        Recursive = true,
    };

    public static IServiceCollection WarningsUnless(this IServiceCollection services, bool verbose) => verbose ? services
        : services.PostConfigure<LoggerFilterOptions>(filters =>
        {
            filters.Rules.Clear(); // the configuration's levels included
            filters.MinLevel = LogLevel.Warning;
        });
}
