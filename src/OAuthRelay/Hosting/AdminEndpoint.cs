using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Hosting;

/// <summary>
/// GET /health: each account's token health with its last AADSTS code and the operator action. 200 when every
/// account is Healthy, 503 otherwise, so a container health check or monitor can alert on it.
/// </summary>
public sealed class AdminEndpoint(IOptions<AdminOptions> options)
{
    private ListenOptions? _bound;

    public IPEndPoint? EndPoint => _bound?.IPEndPoint;

    public void Bind(KestrelServerOptions kestrel)
    {
        if (options.Value.Port is not { } port) return;
        var address = new ListenerOptions { Address = options.Value.Address }.ParseAddress();
        kestrel.Listen(address, port, endpoint => _bound = endpoint);
    }

    public static void Map(WebApplication app) => app.MapGet("/health", (TokenService tokens) =>
    {
        var accounts = tokens.AllHealth();
        var healthy = accounts.All(a => a.State == TokenHealthState.Healthy);
        var body = new
        {
            status = healthy ? "Healthy" : "Unhealthy",
            accounts = accounts.Select(a => new { account = a.Account, state = a.State.ToString(), errorCode = a.ErrorCode, action = a.Action, since = a.Since }),
        };
        return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    });
}
