using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OAuthRelay.Listeners;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Observability;

/// <summary>
/// The admin HTTP endpoint: /healthz (the process answers), /readyz (listeners bound, every account can get tokens),
/// /health (token health per account, the first version of /readyz), /status (JSON for people and the CLI) and
/// /metrics (Prometheus text). Only the admin port serves them; the mail listeners never speak HTTP.
/// </summary>
public sealed class AdminEndpoint(IOptions<AdminOptions> options)
{
    private ListenOptions? _bound;

    public IPEndPoint? EndPoint => _bound?.IPEndPoint;

    public void Bind(KestrelServerOptions kestrel)
    {
        if (options.Value.Port is not { } port) return;
        var address = ListenerOptions.ParseAddress(options.Value.Address);
        kestrel.Listen(address, port, endpoint => _bound = endpoint);
    }

    public static void Map(WebApplication app)
    {
        // Read at the first request, not while the relay is composed: a missing token file is the start check's to report.
        var bearer = new Lazy<BearerTokenCheck>(() => new BearerTokenCheck(app.Services.GetRequiredService<IOptions<AdminOptions>>().Value.ReadBearerToken()));
        // The mail listeners run their own connection handlers, so only the admin port ever serves HTTP.
        var routes = app.MapGroup("");
        routes.MapGet("/healthz", () => Results.Text("ok"));
        routes.MapGet("/readyz", (RelayStatus status) =>
            status.IsReady(out var reason) ? Results.Text("ready") : Results.Text(reason, statusCode: StatusCodes.Status503ServiceUnavailable));
        routes.MapGet("/health", (TokenService tokens) =>
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
        routes.MapGet("/status", (HttpContext context, RelayStatus status) =>
            Authorized(context, bearer.Value) ? Results.Json(status.Snapshot()) : Results.Unauthorized());
        routes.MapGet("/metrics", async (HttpContext context, RelayMetrics metrics) =>
        {
            if (!Authorized(context, bearer.Value))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
    }

    private static bool Authorized(HttpContext context, BearerTokenCheck bearer) => bearer.Allows(context.Request.Headers.Authorization.ToString());
}
