using System.CommandLine;
using OAuthRelay.Configuration;
using OAuthRelay.Hosting;

namespace OAuthRelay.Cli;

/// <summary>
/// <c>check-config</c>: checks the configuration as the relay does at start and prints the effective settings
/// (defaults included, secrets masked; each client's OAuth and delivery mode as inherited or set), then the warnings,
/// then OK or the problems. Exit 0 valid, 1 invalid.
/// </summary>
internal static class CheckConfigCommand
{
    public static Command Create(Option<string> config)
    {
        var command = new Command("check-config", "Check the configuration as the relay does at start and print the effective settings (secrets masked), the warnings, then OK or the problems");
        command.SetAction(result => Check(result.GetValue(config)!, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Check(string configFile, TextWriter output, TextWriter error)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddRelaySources(configFile).Build();
        }
        catch (Exception e) when (RelayConfiguration.IsLoadFailure(e))
        {
            error.WriteLine($"Invalid configuration: {RelayConfiguration.DescribeLoadFailure(e)}");
            return 1;
        }

        var report = ConfigurationValidator.Check(configuration, TimeProvider.System);
        foreach (var (section, options) in report.Sections)
        {
            foreach (var line in EffectiveSettings.Lines(section, options)) output.WriteLine(line);
        }

        foreach (var line in report.Derived) output.WriteLine(line);

        foreach (var note in report.Notes) output.WriteLine($"Needs: {note}");
        foreach (var warning in report.Warnings) output.WriteLine($"Warning: {warning}");
        foreach (var problem in report.Errors) error.WriteLine($"Invalid configuration: {problem}");
        if (report.IsValid) output.WriteLine("OK: the relay can start with this configuration.");
        return report.IsValid ? 0 : 1;
    }
}
