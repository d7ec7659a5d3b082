using System.CommandLine;
using System.Text.Json;

namespace OAuthRelay.Cli;

/// <summary>
/// <c>status</c>: asks the running relay's admin endpoint and prints listeners, clients, accounts and the queue as
/// tables. Exit 0 when the relay is ready, 1 when it answers but is not ready, 2 when it does not answer or refuses
/// the token. <c>--live</c> only checks that the process answers (the container health check).
/// </summary>
internal static class StatusCommand
{
    public static Command Create(Option<string> config)
    {
        var live = new Option<bool>("--live") { Description = "Only check that the relay answers (for health checks); print nothing" };
        var command = new Command("status", "Show the running relay's listeners, clients, token health and queue (needs Admin:Port)") { live };
        command.SetAction((result, ct) => RunAsync(result.GetValue(config)!, result.GetValue(live), result.InvocationConfiguration, ct));
        return command;
    }

    private static async Task<int> RunAsync(string configFile, bool liveOnly, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        using var admin = AdminClient.Open(configFile, console.Error);
        if (admin is null) return AdminClient.Unreachable;
        if (liveOnly)
        {
            using var alive = await admin.SendAsync(HttpMethod.Get, "healthz", cancellationToken, quiet: true);
            return alive?.IsSuccessStatusCode == true ? 0 : AdminClient.Unreachable;
        }

        using var ready = await admin.SendAsync(HttpMethod.Get, "readyz", cancellationToken);
        using var answer = ready is null ? null : await admin.SendAsync(HttpMethod.Get, "status", cancellationToken);
        if (ready is null || answer is null) return AdminClient.Unreachable;
        if (!answer.IsSuccessStatusCode)
        {
            await console.Error.WriteLineAsync(await AdminClient.ProblemAsync(answer, cancellationToken));
            return AdminClient.Unreachable;
        }

        using var status = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(cancellationToken));
        Print(status.RootElement, console.Output);
        console.Output.WriteLine(ready.IsSuccessStatusCode ? "Ready." : $"Not ready: {await ready.Content.ReadAsStringAsync(cancellationToken)}");
        return ready.IsSuccessStatusCode ? 0 : 1;
    }

    private static void Print(JsonElement status, TextWriter output)
    {
        output.WriteLine($"{"LISTENER",-16} {"PROTOCOL",-9} {"ENDPOINT",-24} TLS");
        foreach (var l in status.GetProperty("listeners").EnumerateArray())
            output.WriteLine($"{l.GetProperty("name").GetString(),-16} {l.GetProperty("protocol").GetString(),-9} {l.GetProperty("endpoint").GetString(),-24} {l.GetProperty("tls").GetString()}");
        output.WriteLine();
        output.WriteLine($"{"CLIENT",-20} {"ACCOUNT",-14} {"OAUTH",-6} DELIVERY");
        foreach (var c in status.GetProperty("clients").EnumerateArray())
            output.WriteLine($"{c.GetProperty("name").GetString(),-20} {c.GetProperty("account").GetString() ?? "-",-14} {c.GetProperty("oauth").GetString(),-6} {c.GetProperty("deliveryMode").GetString()}");
        output.WriteLine();
        output.WriteLine($"{"ACCOUNT",-14} {"STATE",-14} {"CODE",-12} {"SIGNED IN AS",-28} {"TOKEN EXPIRES",-26} ACTION");
        foreach (var a in status.GetProperty("accounts").EnumerateArray())
        {
            var expires = a.GetProperty("tokenExpires").ValueKind == JsonValueKind.Null ? "-" : a.GetProperty("tokenExpires").GetString();
            var user = a.GetProperty("signedInAs").GetString() ?? "-";
            output.WriteLine($"{a.GetProperty("account").GetString(),-14} {a.GetProperty("state").GetString(),-14} {a.GetProperty("errorCode").GetString() ?? "-",-12} {user,-28} {expires,-26} {a.GetProperty("action").GetString()}");
        }

        output.WriteLine();
        output.WriteLine($"{"QUEUE",-14} {"QUEUED",7} {"DEFERRED",9} {"HELD",5} {"BYTES",12} {"OLDEST",9}  PAUSED UNTIL");
        foreach (var q in status.GetProperty("queue").EnumerateArray())
        {
            var oldest = q.GetProperty("oldestAgeSeconds") is { ValueKind: JsonValueKind.Number } age ? Durations.Short(TimeSpan.FromSeconds(age.GetDouble())) : "-";
            var paused = q.GetProperty("pausedUntil").GetString() ?? "-";
            output.WriteLine($"{q.GetProperty("account").GetString(),-14} {q.GetProperty("queued").GetInt32(),7} {q.GetProperty("deferred").GetInt32(),9} {q.GetProperty("held").GetInt32(),5} {q.GetProperty("bytes").GetInt64(),12} {oldest,9}  {paused}");
        }

        output.WriteLine();
        output.WriteLine($"Open client connections: {status.GetProperty("openConnections").GetInt32()}");
        foreach (var u in status.GetProperty("upstream").EnumerateArray())
            output.WriteLine($"Upstream {u.GetProperty("identity").GetString()}: {u.GetProperty("inUse").GetInt32()} in use, {u.GetProperty("idle").GetInt32()} idle, at most {u.GetProperty("max").GetInt32()}");
    }
}
