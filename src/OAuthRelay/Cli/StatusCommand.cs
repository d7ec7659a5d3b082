using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using OAuthRelay.Configuration;
using OAuthRelay.Observability;

namespace OAuthRelay.Cli;

/// <summary>
/// <c>status</c>: asks the running relay's admin endpoint and prints listeners, clients and accounts as tables.
/// Exit 0 when the relay is ready, 1 when it answers but is not ready, 2 when it does not answer or refuses the token.
/// <c>--live</c> only checks that the process answers (the container health check).
/// </summary>
internal static class StatusCommand
{
    public static Command Create(Option<string> config)
    {
        var live = new Option<bool>("--live") { Description = "Only check that the relay answers (for health checks); print nothing" };
        var command = new Command("status", "Show the running relay's listeners, clients and token health (needs Admin:Port)") { live };
        command.SetAction((result, ct) => RunAsync(result.GetValue(config)!, result.GetValue(live), ct));
        return command;
    }

    private static async Task<int> RunAsync(string configFile, bool liveOnly, CancellationToken cancellationToken)
    {
        var admin = new ConfigurationBuilder().AddRelaySources(configFile).Build().GetSection("Admin").Get<AdminOptions>() ?? new AdminOptions();
        if (admin.Port is not { } port || port == 0)
        {
            Console.Error.WriteLine("The admin endpoint is off: set Admin:Port.");
            return 2;
        }

        var host = admin.Address is "0.0.0.0" or "*" ? "127.0.0.1" : admin.Address is "::" ? "[::1]" : admin.Address;
        using var http = new HttpClient { BaseAddress = new Uri($"http://{host}:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        if (admin.ReadBearerToken() is { } token) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            if (liveOnly) return (await http.GetAsync("healthz", cancellationToken)).IsSuccessStatusCode ? 0 : 2;
            var ready = await http.GetAsync("readyz", cancellationToken);
            var answer = await http.GetAsync("status", cancellationToken);
            if (answer.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                Console.Error.WriteLine("The admin endpoint refused the bearer token (Admin:BearerToken or Admin:BearerTokenFile).");
                return 2;
            }

            using var status = JsonDocument.Parse(await answer.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cancellationToken));
            Print(status.RootElement);
            Console.WriteLine(ready.IsSuccessStatusCode ? "Ready." : $"Not ready: {await ready.Content.ReadAsStringAsync(cancellationToken)}");
            return ready.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            if (!liveOnly) Console.Error.WriteLine($"The relay does not answer on {http.BaseAddress}: {e.Message}");
            return 2;
        }
    }

    private static void Print(JsonElement status)
    {
        Console.WriteLine($"{"LISTENER",-16} {"PROTOCOL",-9} {"ENDPOINT",-24} TLS");
        foreach (var l in status.GetProperty("listeners").EnumerateArray())
            Console.WriteLine($"{l.GetProperty("name").GetString(),-16} {l.GetProperty("protocol").GetString(),-9} {l.GetProperty("endpoint").GetString(),-24} {l.GetProperty("tls").GetString()}");
        Console.WriteLine();
        Console.WriteLine($"{"CLIENT",-20} {"ACCOUNT",-14} OAUTH");
        foreach (var c in status.GetProperty("clients").EnumerateArray())
            Console.WriteLine($"{c.GetProperty("name").GetString(),-20} {c.GetProperty("account").GetString() ?? "-",-14} {c.GetProperty("oauth").GetString()}");
        Console.WriteLine();
        Console.WriteLine($"{"ACCOUNT",-14} {"STATE",-14} {"CODE",-12} {"SIGNED IN AS",-28} {"TOKEN EXPIRES",-26} ACTION");
        foreach (var a in status.GetProperty("accounts").EnumerateArray())
        {
            var expires = a.GetProperty("tokenExpires").ValueKind == JsonValueKind.Null ? "-" : a.GetProperty("tokenExpires").GetString();
            var user = a.GetProperty("signedInAs").GetString() ?? "-";
            Console.WriteLine($"{a.GetProperty("account").GetString(),-14} {a.GetProperty("state").GetString(),-14} {a.GetProperty("errorCode").GetString() ?? "-",-12} {user,-28} {expires,-26} {a.GetProperty("action").GetString()}");
        }

        Console.WriteLine();
        Console.WriteLine($"Open client connections: {status.GetProperty("openConnections").GetInt32()}");
        foreach (var u in status.GetProperty("upstream").EnumerateArray())
            Console.WriteLine($"Upstream {u.GetProperty("identity").GetString()}: {u.GetProperty("inUse").GetInt32()} in use, {u.GetProperty("idle").GetInt32()} idle, at most {u.GetProperty("max").GetInt32()}");
    }
}
