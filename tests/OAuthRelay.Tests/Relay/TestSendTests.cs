using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OAuthRelay.Cli;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Relay;

/// <summary>
/// test-send against the fake Office 365: every step printed, the failing one named, no token printed; the relay it
/// composes binds no listener, and it logs warnings only unless --verbose.
/// </summary>
public sealed class TestSendTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("oauthrelay-test-send-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The rig, its settings written to a file as the operator's configuration (TLS listeners without certificates among them).</summary>
    private Task<RelayRig> StartRigWithFileAsync(out string file, Action<Dictionary<string, string?>>? adjust = null)
    {
        var path = file = Path.Combine(_folder, "oauthrelay.json");
        return RelayRig.StartAsync(adjust, writeConfigFile: settings =>
        {
            ConfigFiles.WriteJson(path, settings);
            return path;
        });
    }

    /// <summary>test-send's own composition of the relay from the file, its log collected.</summary>
    private static async Task<(int Exit, LogCollector Logs)> RunComposedAsync(RelayRig rig, string file, bool verbose)
    {
        var logs = new LogCollector();
        await using var app = TestSendCommand.Compose(file, verbose, services =>
        {
            services.RemoveAll<ILoggerProvider>();
            services.AddSingleton<ILoggerProvider>(logs);
        });
        return (await TestSend.Of(app.Services, new StringWriter()).RunAsync("office", "someone@example.test", CancellationToken.None), logs);
    }

    [Fact]
    public async Task Test_send_composes_the_relay_without_making_or_reporting_listener_certificates()
    {
        await using var rig = await StartRigWithFileAsync(out var file);

        var (exit, logs) = await RunComposedAsync(rig, file, verbose: true);

        Assert.Equal(0, exit);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("Listener") || l.Contains("certificate"));
    }

    [Fact]
    public async Task Test_send_logs_only_warnings_unless_verbose()
    {
        await using var rig = await StartRigWithFileAsync(out var file, s => s["Logging:LogLevel:Default"] = "Debug");

        var (quietExit, quiet) = await RunComposedAsync(rig, file, verbose: false);
        var (verboseExit, verbose) = await RunComposedAsync(rig, file, verbose: true);

        Assert.Equal((0, 0), (quietExit, verboseExit));
        Assert.All(quiet.Lines, l => Assert.Matches("^(Warning|Error|Critical) ", l));
        Assert.Contains(verbose.Lines, l => l.StartsWith("Debug "));
    }

    private static async Task<(int Exit, string Output)> RunAsync(RelayRig rig)
    {
        var output = new StringWriter();
        return (await TestSend.Of(rig.Relay.Services, output).RunAsync("office", "someone@example.test", CancellationToken.None), output.ToString());
    }

    [Fact]
    public async Task Prints_each_step_and_the_upstream_accepts_the_message()
    {
        await using var rig = await RelayRig.StartAsync();

        var (exit, output) = await RunAsync(rig);

        Assert.Equal(0, exit);
        Assert.Matches(@"token:   ok for relay@contoso.test, expires .*\n", output);
        Assert.Contains($"connect: 127.0.0.1:{rig.Office.EndPoint.Port} (StartTls)", output);
        Assert.Matches(@"tls:     Tls1[23] ", output);
        Assert.Contains("auth:    XOAUTH2 as relay@contoso.test accepted", output);
        Assert.Contains("send:    accepted: 2.0.0 OK", output);
        var received = Assert.Single(rig.Office.Messages);
        Assert.Equal("XOAUTH2", received.Mechanism);
        Assert.Equal(["someone@example.test"], received.To);
        foreach (var secret in rig.Entra.IssuedSecrets) Assert.DoesNotContain(secret, output);
    }

    [Fact]
    public async Task A_graph_account_sends_through_sendMail_and_a_refusal_names_the_missing_permission()
    {
        await using var rig = await RelayRig.StartGraphAsync();

        var (exit, output) = await RunAsync(rig);

        Assert.Equal(0, exit);
        Assert.Matches(@"token:   ok for relay@contoso.test \(Microsoft Graph, https://graph.microsoft.com\), expires .*\n", output);
        Assert.Contains("/v1.0/users/relay@contoso.test/sendMail accepted for processing (202)", output);
        Assert.Contains("To: someone@example.test", Encoding.UTF8.GetString(Assert.Single(rig.Graph!.Messages).Mime!));

        rig.Graph.FailNext(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        (exit, output) = await RunAsync(rig);

        Assert.Equal(1, exit);
        Assert.Contains("send:    FAILED: 403 ErrorAccessDenied: Access is denied.", output);
        Assert.Contains("lacks Mail.Send", output);
        foreach (var secret in rig.Entra.IssuedSecrets) Assert.DoesNotContain(secret, output);
    }

    [Fact]
    public async Task Names_the_step_that_failed()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.XOAuth2Reply = "535 5.7.3 Authentication unsuccessful";

        var (exit, output) = await RunAsync(rig);

        Assert.Equal(1, exit);
        Assert.Contains("auth:    FAILED: ", output);
        Assert.Contains("5.7.3 Authentication unsuccessful", output);
        Assert.Contains("SMTP AUTH is enabled", output); // the action health gives for the same refusal
        Assert.Empty(rig.Office.Messages);
    }

    [Fact]
    public async Task Prints_the_operator_action_for_smtp_auth_disabled()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.XOAuth2Reply = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.";

        var (_, output) = await RunAsync(rig);

        Assert.Contains($"Set-CASMailbox {rig.Mailbox} -SmtpClientAuthenticationDisabled $false", output);
    }
}
