using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OAuthRelay.Listeners;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Observability;

/// <summary>
/// The admin HTTP endpoint: /healthz (the process answers), /readyz (listeners bound, every account can get tokens),
/// /health (token health per account and queue age warnings), /status (JSON for people and the CLI), /metrics
/// (Prometheus text) and /queue (see <see cref="QueueEndpoints"/>). Only the admin port serves them; the mail
/// listeners never speak HTTP.
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
        routes.MapGet("/health", (TokenService tokens, QueueSummary queue) =>
        {
            var accounts = tokens.AllHealth();
            var healthy = accounts.All(a => a.State == TokenHealthState.Healthy);
            var warnings = queue.AgeWarnings();
            var body = new
            {
                // Degraded (200, as ASP.NET Core's health checks do): mail is accepted and delivered, but slowly.
                status = !healthy ? "Unhealthy" : warnings.Count > 0 ? "Degraded" : "Healthy",
                accounts = accounts.Select(a => new { account = a.Account, state = a.State.ToString(), errorCode = a.ErrorCode, action = a.Action, since = a.Since }),
                warnings,
            };
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        // They name clients, accounts and addresses: with a bearer token configured, they want it.
        var guarded = routes.MapGroup("").AddEndpointFilter(async (context, next) =>
            Authorized(context.HttpContext, bearer.Value) ? await next(context) : Results.Unauthorized());
        guarded.MapGet("/status", (RelayStatus status) => Results.Json(status.Snapshot()));
        guarded.MapGet("/metrics", async (HttpContext context, RelayMetrics metrics) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        QueueEndpoints.Map(guarded);
    }

    private static bool Authorized(HttpContext context, BearerTokenCheck bearer) => bearer.Allows(context.Request.Headers.Authorization.ToString());
}
