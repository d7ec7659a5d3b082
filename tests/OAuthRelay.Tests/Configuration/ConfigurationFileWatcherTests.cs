using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OAuthRelay.Clients;
using OAuthRelay.Configuration;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Configuration;

/// <summary>
/// The running relay reloads its file when the file's content changes, however it was replaced: a ConfigMap's
/// atomic link swap, an edit of a link's target. Polled on the relay's clock; a file briefly missing is no change.
/// </summary>
public sealed class ConfigurationFileWatcherTests
{
    private static string Json(int maxRecipients) => ConfigFiles.ToJson(new Dictionary<string, string?>
    {
        ["Listeners:main:Address"] = "127.0.0.1",
        ["Listeners:main:Port"] = "0",
        ["Clients:app:UserName"] = RelayTestHost.UserName,
        ["Clients:app:PasswordHash"] = RelayTestHost.PasswordHash,
        ["Clients:app:MaxRecipients"] = maxRecipients.ToString(),
    });

    private static Task<string?> ReloadWith(RelayTestHost host, int maxRecipients)
    {
        var registry = host.Services.GetRequiredService<ClientRegistry>();
        return ConfigFiles.NextReload(registry, error => error is null && registry.Clients.Single().MaxRecipients == maxRecipients);
    }

    private static readonly Dictionary<string, string?> FastPolling = new() { ["Configuration:PollInterval"] = "00:00:00.100" };

    [Fact]
    public async Task A_configmap_update_that_swaps_the_data_link_is_reloaded()
    {
        using var volume = new ConfigMapVolume(Json(5));
        await using var host = await RelayTestHost.StartAsync(FastPolling, configFile: volume.FilePath);

        var reloaded = ReloadWith(host, 7);
        volume.Update(Json(7));

        Assert.Null(await reloaded);
    }

    [Fact]
    public async Task An_edit_of_the_target_of_a_linked_config_file_is_reloaded()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-link-").FullName;
        var target = Path.Combine(folder, "real.json");
        var link = Path.Combine(folder, "oauthrelay.json");
        await File.WriteAllTextAsync(target, Json(5));
        File.CreateSymbolicLink(link, target);
        await using var host = await RelayTestHost.StartAsync(FastPolling, configFile: link);

        var reloaded = ReloadWith(host, 7);
        await File.WriteAllTextAsync(target, Json(7));

        Assert.Null(await reloaded);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_file_is_polled_on_the_relays_clock_at_the_configured_interval()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-poll-").FullName;
        var file = Path.Combine(folder, "oauthrelay.json");
        await File.WriteAllTextAsync(file, Json(5));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Configuration:PollInterval"] = "01:00:00" }, time, file);

        var reloaded = ReloadWith(host, 7);
        await File.WriteAllTextAsync(file, Json(7));
        time.Advance(TimeSpan.FromHours(1));

        Assert.Null(await reloaded);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void A_file_briefly_missing_is_no_change_and_a_broken_file_counts_as_loaded()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-missing-").FullName;
        var file = Path.Combine(folder, "oauthrelay.json");
        File.WriteAllText(file, Json(5));
        var status = new ConfigurationFileStatus();
        var configuration = new ConfigurationManager();
        configuration.AddRelaySources(file, status: status);
        status.Started();
        var provider = ((IConfigurationRoot)configuration).Providers.OfType<WatchedJsonFileProvider>().Single();

        File.Move(file, file + ".old");
        Assert.False(provider.HasChanged());
        File.Move(file + ".old", file);
        Assert.False(provider.HasChanged());

        File.WriteAllText(file, "{ \"Clients\": ");
        Assert.True(provider.HasChanged());
        provider.Load();
        Assert.NotNull(status.LastError);
        Assert.Equal("5", configuration["Clients:app:MaxRecipients"]);
        Assert.False(provider.HasChanged());
        Directory.Delete(folder, recursive: true);
    }
}
