namespace OAuthRelay.OperatorConsole;

/// <summary>One log line per change made from the console: who made it, what, and the value before and after.</summary>
internal sealed partial class ConsoleAudit(ILogger<ConsoleAudit> logger)
{
    public void Changed(string who, string what, string before, string after) => LogChanged(who, what, before, after);

    public void Did(string who, string what) => LogDid(who, what);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit: {Who} changed {What} from {Before} to {After}")]
    private partial void LogChanged(string who, string what, string before, string after);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit: {Who} {What}")]
    private partial void LogDid(string who, string what);
}
