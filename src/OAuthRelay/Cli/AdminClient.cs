using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OAuthRelay.Configuration;
using OAuthRelay.Observability;

namespace OAuthRelay.Cli;

/// <summary>
/// The running relay's admin endpoint as the configuration file names it (Admin:Address and Admin:Port), asked with
/// its bearer token (Admin:BearerToken or BearerTokenFile). When the relay cannot be asked (the endpoint is off, does
/// not answer, refuses the token) it says so once, on the error writer, and the verb exits <see cref="Unreachable"/>.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    /// <summary>The exit code of every verb that could not ask the relay.</summary>
    public const int Unreachable = 2;

    private readonly HttpClient _http;
    private readonly TextWriter _error;

    private AdminClient(HttpClient http, TextWriter error)
    {
        _http = http;
        _error = error;
    }

    /// <summary>Null, said on <paramref name="error"/>, when the configuration has no admin endpoint.</summary>
    public static AdminClient? Open(string configFile, TextWriter error)
    {
        var admin = new ConfigurationBuilder().AddRelaySources(configFile).Build().GetSection("Admin").Get<AdminOptions>() ?? new AdminOptions();
        if (admin.Port is not { } port || port == 0)
        {
            error.WriteLine("The admin endpoint is off: set Admin:Port.");
            return null;
        }

        var host = admin.Address is "0.0.0.0" or "*" ? "127.0.0.1" : admin.Address is "::" ? "[::1]" : admin.Address;
        var http = new HttpClient { BaseAddress = new Uri($"http://{host}:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        if (admin.ReadBearerToken() is { } token) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new AdminClient(http, error);
    }

    /// <summary>
    /// The relay's answer, or null when it gave none or refused the token (said on the error writer unless
    /// <paramref name="quiet"/>: the container health check prints nothing).
    /// </summary>
    public async Task<HttpResponseMessage?> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken, bool quiet = false)
    {
        var error = quiet ? TextWriter.Null : _error;
        try
        {
            using var request = new HttpRequestMessage(method, path);
            var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
            error.WriteLine("The admin endpoint refused the bearer token (Admin:BearerToken or Admin:BearerTokenFile).");
            response.Dispose();
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            error.WriteLine($"The relay does not answer on {_http.BaseAddress}: {e.Message}");
            return null;
        }
    }

    /// <summary>What an answer other than success says: the detail of its problem, else its status.</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { } text) return text;
        }
        catch (JsonException)
        {
        }

        return $"The relay answered {(int)response.StatusCode} {response.ReasonPhrase}.";
    }

    public void Dispose() => _http.Dispose();
}
