using Microsoft.AspNetCore.Mvc;
using OAuthRelay.Clients;
using OAuthRelay.Configuration;

namespace OAuthRelay.OperatorConsole.Pages;

/// <summary>
/// Clients: each client's recognition, account, OAuth and delivery mode, with forms that switch OAuth, the mode and
/// whether the client is enabled. A change is written to the configuration file as <c>clients set-oauth</c> writes it
/// (checked first, nothing written if the check refuses it), waited for until the relay has reloaded it, and audited.
/// </summary>
internal sealed class ClientsModel(IConfiguration configuration, ClientRegistry registry, ConfigurationFileCheck check, ConsoleAudit audit, TimeProvider time) : ConsolePage
{
    /// <summary>How long a change waits for the relay to reload the file it wrote before saying it is not in force yet.</summary>
    internal static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(10);

    public override int RefreshSeconds => 0;

    public IReadOnlyList<ClientRow> Rows { get; private set; } = [];

    /// <summary>The file changes are written to; null when the relay runs without one (nothing can be changed here).</summary>
    public string? ConfigFile => RelayConfiguration.File(configuration)?.FullPath;

    public void OnGet() => Rows = ClientRow.All(configuration);

    public Task<IActionResult> OnPostOAuthAsync(string client, string value) => value switch
    {
        "on" or "off" or ClientRow.Inherit => ChangeAsync(client, file => ClientsConfigFile.SetOAuth(file, client, value == ClientRow.Inherit ? null : value == "on", check)),
        _ => Task.FromResult(Outcome($"OAuth must be on, off or inherit, not '{value}'.")),
    };

    public Task<IActionResult> OnPostModeAsync(string client, string value) =>
        value == ClientRow.Inherit ? ChangeAsync(client, file => ClientsConfigFile.SetDeliveryMode(file, client, null, check))
        : Enum.TryParse<DeliveryMode>(value, ignoreCase: false, out var mode) && Enum.IsDefined(mode) ? ChangeAsync(client, file => ClientsConfigFile.SetDeliveryMode(file, client, mode, check))
        : Task.FromResult(Outcome($"The delivery mode must be {string.Join(", ", Enum.GetNames<DeliveryMode>())} or inherit, not '{value}'."));

    public Task<IActionResult> OnPostEnabledAsync(string client, string value) => bool.TryParse(value, out var enabled)
        ? ChangeAsync(client, file => ClientsConfigFile.SetEnabled(file, client, enabled, check))
        : Task.FromResult(Outcome($"Enabled must be true or false, not '{value}'."));

    private async Task<IActionResult> ChangeAsync(string client, Func<string, ClientFileEdit> edit)
    {
        if (ConfigFile is not { } file) return Outcome("The relay runs without a configuration file: there is nothing to change here.");
        var reloaded = NextReload();
        ClientFileEdit result;
        try
        {
            result = edit(file);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return Outcome($"Not changed: {e.Message}");
        }

        if (!result.Written) return Outcome($"Not changed, the relay would refuse it: {string.Join(" ", result.Problems)}");
        if (result.Before == result.After) return Outcome(null, $"{result.Setting} is already {result.After}.");
        audit.Changed(Who, result.Setting, result.Before, result.After);
        var error = await reloaded.WaitAsync(ReloadWait, time).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "the relay has not reloaded the file yet");
        return error is null
            ? Outcome(null, $"{result.Setting} changed from {result.Before} to {result.After}; in force for new sessions.")
            : Outcome($"{result.Setting} changed from {result.Before} to {result.After} in the file, but not in force: {error}.");
    }

    private Task<string?> NextReload()
    {
        var next = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Once(string? error)
        {
            registry.Reloaded -= Once;
            next.TrySetResult(error);
        }

        registry.Reloaded += Once;
        return next.Task;
    }
}
