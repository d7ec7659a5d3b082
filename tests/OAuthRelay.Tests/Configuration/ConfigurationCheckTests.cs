using System.Text.RegularExpressions;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Configuration;

/// <summary>
/// One check for check-config and the relay's start, with the same messages: each problem in one line naming the
/// setting (enum typos list the valid values), never a stack trace; check-config prints the effective settings.
/// </summary>
public sealed class ConfigurationCheckTests : IDisposable
{
    private const string EnumTypos = """
        {
          "Listeners": { "main": { "Address": "127.0.0.1", "Port": 0, "Tls": "Starttls2" } },
          "Accounts": { "office": { "ClientId": "id", "Flow": "Apps", "Protocols": [ "Smtp", "Bogus" ] } }
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("oauthrelay-check-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_folder, "oauthrelay.json");
        File.WriteAllText(path, json);
        return path;
    }

    private string Write(Dictionary<string, string?> settings) => Write(ConfigFiles.ToJson(settings));

    private Dictionary<string, string?> Valid() => new()
    {
        ["Listeners:main:Address"] = "127.0.0.1",
        ["Listeners:main:Port"] = "0",
        ["Clients:app:UserName"] = RelayTestHost.UserName,
        ["Clients:app:PasswordHash"] = RelayTestHost.PasswordHash,
        ["Clients:app:Account"] = "office",
        ["Accounts:office:Mailbox"] = "forms@contoso.test",
        ["Accounts:office:ClientId"] = "00000000-0000-0000-0000-000000000001",
        ["Tokens:CacheKeyFile"] = Path.Combine(_folder, "token-cache.key"),
    };

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Check_config_says_what_each_account_needs_granted_for_its_transport()
    {
        var settings = Valid();
        settings["Accounts:graph:Mailbox"] = "notices@contoso.test";
        settings["Accounts:graph:ClientId"] = "00000000-0000-0000-0000-000000000002";
        settings["Accounts:graph:ClientSecret"] = "secret";
        settings["Accounts:graph:Flow"] = "App";
        settings["Accounts:graph:Transport"] = "Graph";
        settings["Accounts:graph:GraphBaseUrl"] = "http://graph.example.test/v1.0/";

        var (exit, output, error) = await CommandLineRun.RunAsync("check-config", "--config", Write(settings));

        Assert.Equal(1, exit);
        Assert.Equal(["Invalid configuration: Account 'graph': GraphBaseUrl 'http://graph.example.test/v1.0/' is not an https URL."], Lines(error));
        var needs = Lines(output).Where(l => l.StartsWith("Needs:")).ToList();
        Assert.Contains(needs, l => l.StartsWith("Needs: Account 'office' sends over SMTP AUTH as forms@contoso.test: it needs the delegated permission(s) https://outlook.office.com/SMTP.Send"));
        Assert.Contains(needs, l => l.StartsWith("Needs: Account 'graph' sends through Microsoft Graph as an app: it needs the Graph application permission Mail.Send, and Mail.ReadWrite")
            && l.Contains("notices@contoso.test with RBAC for Applications"));
    }

    [Fact]
    public async Task Enum_typos_are_rejected_by_check_config_each_in_one_line_with_the_valid_values()
    {
        var (exit, output, error) = await CommandLineRun.RunAsync("check-config", "--config", Write(EnumTypos));

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "Invalid configuration: Listeners:main:Tls: 'Starttls2' is not one of None, StartTls, Implicit.",
                "Invalid configuration: Accounts:office:Flow: 'Apps' is not one of Delegated, App.",
                "Invalid configuration: Accounts:office:Protocols:1: 'Bogus' is not one of Smtp, Imap, Pop3.",
            ],
            Lines(error));
        Assert.DoesNotContain("OK", output);
    }

    [Fact]
    public async Task Enum_typos_stop_the_start_with_one_log_line_each_listing_the_valid_values_and_exit_code_1()
    {
        var file = Write(EnumTypos);

        var notStarted = await Assert.ThrowsAsync<RelayTestHost.NotStartedException>(() => RelayTestHost.StartAsync(configFile: file));

        var errors = notStarted.Logs.Lines.Where(l => l.StartsWith("Error")).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, l => l.EndsWith("Invalid configuration: Listeners:main:Tls: 'Starttls2' is not one of None, StartTls, Implicit."));
        Assert.Contains(errors, l => l.EndsWith("Invalid configuration: Accounts:office:Flow: 'Apps' is not one of Delegated, App."));
        Assert.Contains(errors, l => l.EndsWith("Invalid configuration: Accounts:office:Protocols:1: 'Bogus' is not one of Smtp, Imap, Pop3."));
        Assert.DoesNotContain(notStarted.Logs.Lines, l => l.Contains("Exception"));
        Assert.Equal(1, (await CommandLineRun.RunAsync("--config", file)).Exit);
    }

    [Fact]
    public async Task A_file_that_does_not_parse_stops_the_start_with_one_line_and_no_stack_trace()
    {
        var (exit, _, error) = await CommandLineRun.RunAsync("--config", Write("{ \"Clients\": { \"app\": "));

        Assert.Equal(1, exit);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("Invalid configuration: Failed to load configuration from file", line);
        Assert.Contains("LineNumber: 0", line);
    }

    [Theory]
    [InlineData("Listeners:main:Address", "nowhere", "Listener 'main': Address 'nowhere' is not an IP address, *, :: or localhost.")]
    [InlineData("Listeners:main:Port", "70000", "Listener 'main': Port 70000 is not between 0 and 65535.")]
    [InlineData("Listeners:main:Port", "smtp", "Listeners:main:Port: 'smtp' is not a whole number.")]
    [InlineData("Clients:app:PasswordHash", "not-a-hash", "Client 'app': PasswordHash is missing or not a hash from `hash-password`.")]
    [InlineData("Clients:app:OAuth", "maybe", "Clients:app:OAuth: 'maybe' is not true or false.")]
    [InlineData("Smtp:IdleTimeout", "5 minutes", "Smtp:IdleTimeout: '5 minutes' is not a duration such as 00:05:00.")]
    [InlineData("Accounts:office:ClientId", "", "Account 'office': ClientId is missing.")]
    [InlineData("Accounts:office:ClientSecretFile", "{folder}/client-secret", "Account 'office': ClientSecretFile {folder}/client-secret does not exist.")]
    [InlineData("Tokens:CacheKey", "not base64!", "The token cache key from Tokens:CacheKey is not base64.")]
    [InlineData("Upstream:TrustedCaFile", "{folder}/empty-ca.pem", "Upstream:TrustedCaFile {folder}/empty-ca.pem holds no PEM certificate.")]
    [InlineData("Admin:Address", "admin.contoso.test", "Admin: Address 'admin.contoso.test' is not an IP address, *, :: or localhost.")]
    [InlineData("Admin:BearerTokenFile", "{folder}/admin-token", "Admin: BearerTokenFile {folder}/admin-token does not exist.")]
    [InlineData("Admin:PasswordHash", "hunter2", "Admin: PasswordHash is not a hash from `hash-password`.")]
    [InlineData("Configuration:PollInterval", "00:00:00", "Configuration:PollInterval must be more than zero, not 00:00:00.")]
    public async Task Each_problem_fails_check_config_in_one_line_naming_the_setting(string key, string value, string problem)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "empty-ca.pem"), "");
        var settings = Valid();
        settings[key] = value.Replace("{folder}", _folder);

        var (exit, _, error) = await CommandLineRun.RunAsync("check-config", "--config", Write(settings));

        Assert.Equal(1, exit);
        Assert.Equal($"Invalid configuration: {problem.Replace("{folder}", _folder)}", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task Missing_mismatched_and_not_yet_valid_or_expired_listener_certificates_are_each_one_line_naming_the_listener_and_the_file()
    {
        var now = DateTimeOffset.UtcNow;
        using var good = PemFiles.Certificate(now.AddDays(-1), now.AddDays(30));
        using var other = PemFiles.Certificate(now.AddDays(-1), now.AddDays(30));
        using var expired = PemFiles.Certificate(now.AddDays(-30), now.AddDays(-1));
        using var early = PemFiles.Certificate(now.AddDays(2), now.AddDays(30));
        var (goodCertificate, goodKey) = PemFiles.Write(_folder, "good", good);
        var (_, otherKey) = PemFiles.Write(_folder, "other", other);
        var (expiredCertificate, expiredKey) = PemFiles.Write(_folder, "expired", expired);
        var (earlyCertificate, earlyKey) = PemFiles.Write(_folder, "early", early);
        var missing = Path.Combine(_folder, "missing.crt.pem");
        var settings = Valid();
        foreach (var (listener, certificate, key) in new[] { ("missing", missing, goodKey), ("mismatched", goodCertificate, otherKey), ("expired", expiredCertificate, expiredKey), ("early", earlyCertificate, earlyKey) })
        {
            settings[$"Listeners:{listener}:Port"] = "0";
            settings[$"Listeners:{listener}:Tls"] = "Implicit";
            settings[$"Listeners:{listener}:CertificatePath"] = certificate;
            settings[$"Listeners:{listener}:KeyPath"] = key;
        }

        var (exit, output, error) = await CommandLineRun.RunAsync("check-config", "--config", Write(settings));

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                $"Invalid configuration: Listener 'mismatched': the key in {otherKey} does not match the certificate in {goodCertificate}.",
                $"Invalid configuration: Listener 'missing': CertificatePath {missing} does not exist.",
            ],
            Lines(error));
        var warnings = Lines(output).Where(l => l.StartsWith("Warning:")).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, l => l.StartsWith($"Warning: Listener 'expired': the certificate {expiredCertificate} expired on {expired.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"));
        Assert.Contains(warnings, l => l.StartsWith($"Warning: Listener 'early': the certificate {earlyCertificate} is not valid until {early.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"));
    }

    [Fact]
    public async Task A_bad_listener_certificate_stops_the_start_with_one_line_naming_the_listener_and_the_file()
    {
        var missing = Path.Combine(_folder, "missing.crt.pem");
        var settings = Valid();
        settings["Listeners:main:Tls"] = "StartTls";
        settings["Listeners:main:CertificatePath"] = missing;
        settings["Listeners:main:KeyPath"] = missing;

        var notStarted = await Assert.ThrowsAsync<RelayTestHost.NotStartedException>(() => RelayTestHost.StartAsync(configFile: Write(settings)));

        var error = Assert.Single(notStarted.Logs.Lines, l => l.StartsWith("Error"));
        Assert.EndsWith($"Invalid configuration: Listener 'main': CertificatePath {missing} does not exist.", error);
    }

    [Fact]
    public async Task Check_config_prints_the_effective_settings_with_defaults_and_secrets_masked()
    {
        var settings = Valid();
        settings["Accounts:office:ClientSecret"] = "client-secret-value-1";
        settings["Tokens:CacheKey"] = Convert.ToBase64String(new byte[32]);
        settings["Admin:BearerToken"] = "admin-token-value-2";

        var (exit, output, error) = await CommandLineRun.RunAsync("check-config", "--config", Write(settings));

        Assert.Equal(0, exit);
        Assert.Empty(error);
        var lines = Lines(output);
        Assert.Contains("Smtp:MaxRecipients = 500", lines);
        Assert.Contains("Listeners:main:Protocol = Smtp", lines);
        Assert.Contains("Configuration:PollInterval = 00:00:01", lines);
        Assert.Contains("Accounts:office:ClientSecret = ********", lines);
        Assert.Contains("Tokens:CacheKey = ********", lines);
        Assert.Contains("Admin:BearerToken = ********", lines);
        Assert.Contains("Clients:app:PasswordHash = ********", lines);
        Assert.Equal("OK: the relay can start with this configuration.", lines[^1]);
        foreach (var secret in new[] { "client-secret-value-1", settings["Tokens:CacheKey"]!, "admin-token-value-2", RelayTestHost.PasswordHash })
            Assert.DoesNotContain(secret, output);
    }

    [Fact]
    public async Task Check_config_and_clients_list_show_each_clients_effective_delivery_mode()
    {
        var settings = Valid();
        settings["Relay:DeliveryMode"] = "Queue";
        settings["Clients:tools:Networks:0"] = "127.0.0.0/8";
        settings["Clients:tools:Account"] = "office";
        settings["Clients:tools:DeliveryMode"] = "PassThrough";
        var file = Write(settings);

        var (exit, output, _) = await CommandLineRun.RunAsync("check-config", "--config", file);

        Assert.Equal(0, exit);
        var lines = Lines(output);
        Assert.Contains("Clients:app:DeliveryMode = (not set)", lines);
        Assert.Contains("Clients:app:DeliveryMode (effective) = Queue", lines);
        Assert.Contains("Clients:app:OAuth (effective) = on", lines);
        Assert.Contains("Clients:tools:DeliveryMode (effective) = PassThrough", lines);

        (exit, output, _) = await CommandLineRun.RunAsync("clients", "list", "--config", file);

        Assert.Equal(0, exit);
        Assert.Matches($@"(?m)^app +{Regex.Escape(RelayTestHost.UserName)} +office +on +Queue\r?$", output);
        Assert.Matches(@"(?m)^tools +127\.0\.0\.0/8 +office +on +PassThrough\r?$", output);
    }

    [Fact]
    public async Task Shared_state_needs_a_configured_cache_key_a_usable_connection_string_and_at_least_one_replica()
    {
        var settings = Valid();
        settings["State:Redis"] = "127.0.0.1:6379,ssl=maybe";
        settings["State:Replicas"] = "0";
        settings["State:RedisPasswordFile"] = Path.Combine(_folder, "no-such-password");

        var (exit, _, error) = await CommandLineRun.RunAsync("check-config", "--config", Write(settings));

        Assert.Equal(1, exit);
        var problems = Lines(error);
        Assert.Contains("Invalid configuration: State:Replicas must be at least 1, not 0.", problems);
        Assert.Contains($"Invalid configuration: State:RedisPasswordFile {settings["State:RedisPasswordFile"]} does not exist.", problems);
        Assert.Contains(problems, p => p.StartsWith("Invalid configuration: State:Redis is not a usable connection string"));
        Assert.Contains(problems, p => p.StartsWith("Invalid configuration: State:Redis is set but no token cache key is configured"));
    }

    [Fact]
    public async Task A_usable_shared_state_passes_and_its_connection_string_is_masked_as_it_may_hold_the_password()
    {
        var settings = Valid();
        settings["Tokens:CacheKey"] = Convert.ToBase64String(new byte[32]);
        settings["State:Redis"] = "redis.internal:6380,ssl=true,password=redis-password-value-3";
        settings["State:Replicas"] = "3";

        var (exit, output, _) = await CommandLineRun.RunAsync("check-config", "--config", Write(settings));

        Assert.Equal(0, exit);
        Assert.Contains("State:Redis = ********", Lines(output));
        Assert.Contains("State:Replicas = 3", Lines(output));
        Assert.DoesNotContain("redis-password-value-3", output);
    }
}
