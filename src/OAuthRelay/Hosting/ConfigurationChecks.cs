using Microsoft.Extensions.Primitives;
using OAuthRelay.Configuration;

namespace OAuthRelay.Hosting;

/// <summary>
/// Logs the check of the configuration once at start and once after each reload of the file, one line per warning and
/// per problem; after a reload also which sections read only at start have changed and need a restart.
/// </summary>
public sealed partial class ConfigurationChecks : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ConfigurationFileStatus _fileStatus;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigurationChecks> _logger;
    private readonly SettingsReadAtStart _readAtStart;
    private readonly IDisposable _reloadRegistration;

    public ConfigurationChecks(IConfiguration configuration, ConfigurationFileStatus fileStatus, TimeProvider time, ILogger<ConfigurationChecks> logger)
    {
        _configuration = configuration;
        _fileStatus = fileStatus;
        _time = time;
        _logger = logger;
        _readAtStart = new SettingsReadAtStart(configuration, RelaySections.All);
        _reloadRegistration = ChangeToken.OnChange(configuration.GetReloadToken, AfterReload);
    }

    /// <summary>False when the configuration has a problem and the relay must not start.</summary>
    public bool AtStart()
    {
        var report = ConfigurationValidator.Check(_configuration, _time);
        foreach (var warning in report.Warnings) LogWarning(warning);
        foreach (var problem in report.Errors) LogInvalid(problem);
        return report.IsValid;
    }

    private void AfterReload()
    {
        if (_fileStatus.LastError is not null) return; // rejected: the values in force did not change
        foreach (var change in _readAtStart.Changes()) LogWarning(change);
        var report = ConfigurationValidator.Check(_configuration, _time);
        foreach (var warning in report.Warnings) LogWarning(warning);
        if (!report.IsValid) LogWouldNotStart(report.Errors.Count, report.Errors[0]);
    }

    public void Dispose() => _reloadRegistration.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    private partial void LogWarning(string warning);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invalid configuration: {Problem}")]
    private partial void LogInvalid(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration: the relay would not start with this file ({Count} problem(s), see check-config), first: {Problem}")]
    private partial void LogWouldNotStart(int count, string problem);
}
