using Microsoft.Extensions.Logging;
using MsalLogLevel = Microsoft.Identity.Client.LogLevel;

namespace OAuthRelay.Tokens.Msal;

/// <summary>MSAL's own log lines into ILogger. PII logging stays off, so MSAL writes no tokens, user names or secrets.</summary>
internal static class MsalLogBridge
{
    public static void Write(ILogger logger, MsalLogLevel level, string message, bool containsPii)
    {
        if (containsPii) return;
        var mapped = level switch
        {
            MsalLogLevel.Error => LogLevel.Warning, // the token service logs the outcome itself, once per change
            MsalLogLevel.Warning => LogLevel.Information,
            MsalLogLevel.Info => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
        if (logger.IsEnabled(mapped)) logger.Log(mapped, "MSAL: {Message}", message);
    }
}
