using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>
/// The relay as an operator runs it, in a child process (<c>dotnet OAuthRelay.dll --config FILE</c>), so a test can kill
/// it with SIGKILL at any moment. Its console log is collected; the SMTP listener's port is read from the ready line.
/// </summary>
internal sealed partial class RelayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly LogCollector _logs = new();

    private RelayProcess(Process process)
    {
        _process = process;
    }

    public LogCollector Logs => _logs;

    public IPEndPoint SmtpEndPoint { get; private set; } = null!;

    /// <summary>Starts the relay with <paramref name="configFile"/> and waits (bounded) until it says it is ready.</summary>
    public static async Task<RelayProcess> StartAsync(string configFile, string listener = "main")
    {
        var start = new ProcessStartInfo(DotNetHost(), [Path.Combine(AppContext.BaseDirectory, "OAuthRelay.dll"), "--config", configFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(configFile)!,
        };
        start.Environment["DOTNET_gcServer"] = "0"; // several relays at once on a small test machine
        var relay = new RelayProcess(Process.Start(start)!);
        relay._process.OutputDataReceived += (_, e) => relay.Collect(e.Data);
        relay._process.ErrorDataReceived += (_, e) => relay.Collect(e.Data);
        relay._process.BeginOutputReadLine();
        relay._process.BeginErrorReadLine();
        try
        {
            var ready = await relay._logs.WaitForLineAsync("OAuthRelay ready");
            var port = ListenerPort(listener).Match(ready);
            relay.SmtpEndPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(port.Groups[1].Value));
            return relay;
        }
        catch
        {
            await relay.DisposeAsync();
            throw new InvalidOperationException($"The relay process did not get ready:\n{relay._logs.All}");
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null) _logs.Add(line);
    }

    // The test host runs under the same dotnet that can run the relay.
    private static string DotNetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    private static Regex ListenerPort(string listener) => new($@"{Regex.Escape(listener)} SMTP 127\.0\.0\.1:(\d+)");
}
