using System.Net;
using OAuthRelay.Clients;
using OAuthRelay.Configuration;
using OAuthRelay.Connections;
using OAuthRelay.Listeners;
using OAuthRelay.Observability;
using OAuthRelay.State;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.Hosting;

/// <summary>
/// The one check of a configuration, at the relay's start, after each reload and in check-config, with the same
/// messages: every section binds (each value converts to its type, an enum names a valid value); then listeners,
/// clients, accounts and the token cache key, the shared state, the upstream's CA file, the admin endpoint and the poll
/// interval are checked as the relay will use them, and what it can start with but should not is a warning.
/// </summary>
internal static class ConfigurationValidator
{
    public static ConfigurationReport Check(IConfiguration configuration, TimeProvider time)
    {
        var report = new ConfigurationReport();
        foreach (var section in RelaySections.All) Bind(configuration, section, report);

        if (report.Section<Dictionary<string, ListenerOptions>>("Listeners") is { } listeners) ListenerChecks.Check(listeners, time.GetUtcNow(), report);
        if (new[] { "Clients", "Relay", "Accounts", "Delivery" }.All(report.Sections.ContainsKey)) CheckClients(configuration, report);
        if (report.Section<Dictionary<string, AccountOptions>>("Accounts") is { } accounts && report.Section<TokenServiceOptions>("Tokens") is { } tokens)
        {
            foreach (var problem in TokenSettings.Problems(accounts, tokens)) report.Error(problem);
            foreach (var (name, account) in accounts) report.Note(AccountPermissions.Describe(name, account));
            if (tokens.TrustedCaFile is { } tokensCaFile) CheckTrustedCas(tokensCaFile, "Tokens:TrustedCaFile", report);
            if (string.IsNullOrWhiteSpace(tokens.CacheKey)) Warn(FilePermissions.WritableByOthers("The token cache key file", tokens.CacheKeyFile), report);
        }

        if (report.Section<StateOptions>("State") is { } state) CheckState(state, report.Section<TokenServiceOptions>("Tokens"), report);

        if (RelayConfiguration.File(configuration) is { } file) Warn(FilePermissions.WritableByOthers("The configuration file", file.FullPath), report);

        if (report.Section<UpstreamOptions>("Upstream") is { } upstream)
        {
            if (upstream.TrustedCaFile is { } caFile) CheckTrustedCas(caFile, "Upstream:TrustedCaFile", report);
            foreach (var problem in upstream.Graph.Problems()) report.Error(problem);
        }

        if (report.Section<AdminOptions>("Admin") is { } admin) CheckAdmin(admin, report);
        if (report.Section<ConfigurationFileOptions>("Configuration") is { PollInterval: var interval } && interval <= TimeSpan.Zero)
            report.Error($"Configuration:PollInterval must be more than zero, not {interval}.");
        return report;
    }

    /// <summary>The problems of a file on its own (the environment laid over it), as check-config finds them.</summary>
    public static IReadOnlyList<string> ProblemsInFile(string path, TimeProvider time)
    {
        using var configuration = (ConfigurationRoot)new ConfigurationBuilder().AddRelaySources(path).Build();
        return Check(configuration, time).Errors;
    }

    private static void Bind(IConfiguration configuration, SettingsSection section, ConfigurationReport report)
    {
        var raw = configuration.GetSection(section.Name);
        var valueProblems = SettingValues.Problems(raw, section.OptionsType).ToList();
        foreach (var problem in valueProblems) report.Error(problem);
        if (valueProblems.Count > 0) return; // the binder would report the same value again, less clearly, or drop its entry
        try
        {
            report.Bound(section.Name, raw.Get(section.OptionsType) ?? Activator.CreateInstance(section.OptionsType)!);
        }
        catch (InvalidOperationException e)
        {
            report.Error(e.Message);
        }
    }

    private static void CheckClients(IConfiguration configuration, ConfigurationReport report)
    {
        IReadOnlyList<RelayClient> clients;
        try
        {
            clients = ConfiguredClients.Parse(configuration);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            report.Error(e.Message);
            return;
        }

        foreach (var client in clients)
        {
            report.Derive($"Clients:{client.Name}:OAuth", client.OAuth ? "on" : "off");
            report.Derive($"Clients:{client.Name}:DeliveryMode", client.DeliveryMode.ToString());
        }

        foreach (var (client, network) in clients.SelectMany(c => c.Networks.Where(n => n.PrefixLength == 0).Select(n => (c.Name, n))))
            report.Warn($"Client '{client}': Networks entry {network} covers the whole internet: any address may send as this client without AUTH.");
    }

    private static void CheckState(StateOptions state, TokenServiceOptions? tokens, ConfigurationReport report)
    {
        foreach (var problem in StateSettings.Problems(state)) report.Error(problem);
        foreach (var warning in StateSettings.Warnings(state)) report.Warn(warning);
        if (state.IsShared && tokens is not null && string.IsNullOrWhiteSpace(tokens.CacheKey) && !File.Exists(tokens.CacheKeyFile)) report.Error(TokenSettings.SharedKeyMissing);
    }

    private static void CheckAdmin(AdminOptions admin, ConfigurationReport report)
    {
        if (!ListenerOptions.TryParseAddress(admin.Address, out var address)) report.Error($"Admin: {ListenerOptions.BadAddress(admin.Address)}");
        if (admin.Port is < 0 or > 65535) report.Error($"Admin: Port {admin.Port} is not between 0 and 65535.");
        if (admin.BearerTokenFile is { } file && !File.Exists(file)) report.Error($"Admin: BearerTokenFile {file} does not exist.");
        if (admin.PasswordHash is { } hash && !PasswordHasher.IsWellFormed(hash)) report.Error("Admin: PasswordHash is not a hash from `hash-password`.");
        if (admin is { Port: not null, PasswordHash: not null } && address is not null && !IPAddress.IsLoopback(address))
            report.Warn($"Admin: the console listens on {admin.Address} over plain HTTP: its password and session cookie cross the network in clear; keep it on loopback or behind a TLS proxy.");
        if (admin.Port is not null && address is not null && !IPAddress.IsLoopback(address) && admin is { BearerToken: null, BearerTokenFile: null })
            report.Warn($"Admin: the endpoint listens on {admin.Address} without a bearer token: whoever reaches it reads /status and /metrics and can hold, retry and delete queued messages; set Admin:BearerToken or BearerTokenFile.");
    }

    private static void Warn(string? warning, ConfigurationReport report)
    {
        if (warning is not null) report.Warn(warning);
    }

    private static void CheckTrustedCas(string file, string setting, ConfigurationReport report)
    {
        try
        {
            foreach (var certificate in CertificateTrust.LoadRoots(file, setting)!) certificate.Dispose();
        }
        catch (InvalidOperationException e)
        {
            report.Error(e.Message);
        }
    }
}
