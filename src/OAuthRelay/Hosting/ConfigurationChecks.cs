namespace OAuthRelay.Hosting;

/// <summary>Logs the check of the configuration at start: one line per warning and per problem.</summary>
public sealed partial class ConfigurationChecks(IConfiguration configuration, TimeProvider time, ILogger<ConfigurationChecks> logger)
{
    /// <summary>False when the configuration has a problem and the relay must not start.</summary>
    public bool AtStart()
    {
        var report = ConfigurationValidator.Check(configuration, time);
        foreach (var warning in report.Warnings) LogWarning(warning);
        foreach (var problem in report.Errors) LogInvalid(problem);
        return report.IsValid;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    private partial void LogWarning(string warning);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invalid configuration: {Problem}")]
    private partial void LogInvalid(string problem);
}
