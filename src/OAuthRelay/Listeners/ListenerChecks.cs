using OAuthRelay.Configuration;
using OAuthRelay.Connections;

namespace OAuthRelay.Listeners;

/// <summary>Checks the Listeners section as the relay uses it at start: addresses, ports and certificates.</summary>
public static class ListenerChecks
{
    public const string NoListeners = "No listeners configured: add one under \"Listeners\".";

    public static void Check(IReadOnlyDictionary<string, ListenerOptions> listeners, DateTimeOffset now, ConfigurationReport report)
    {
        if (listeners.Count == 0) report.Error(NoListeners);
        foreach (var (name, options) in listeners)
        {
            if (!ListenerOptions.TryParseAddress(options.Address, out _)) report.Error($"Listener '{name}': {ListenerOptions.BadAddress(options.Address)}");
            if (options.Port is < 0 or > 65535) report.Error($"Listener '{name}': Port {options.Port} is not between 0 and 65535.");
            if (options.Tls != TlsMode.None) CheckCertificate(name, options, now, report);
        }
    }

    // An expired certificate is a warning, not an error: clients that do not verify certificates keep working with it.
    private static void CheckCertificate(string name, ListenerOptions options, DateTimeOffset now, ConfigurationReport report)
    {
        try
        {
            using var certificate = ListenerCertificate.Load(name, options);
            if (certificate is not null && ListenerCertificate.ValidityProblem(name, options.CertificatePath!, certificate, now) is { } problem) report.Warn(problem);
        }
        catch (InvalidOperationException e)
        {
            report.Error(e.Message);
        }
    }
}
