namespace OAuthRelay.Observability;

/// <summary>
/// Refuses a change that a web page of another site asks for: a browser on the operator's machine reaches the admin
/// port on loopback, and a form it posts there needs no preflight and, without a bearer token configured, no credential.
/// Browsers name where a request comes from (Sec-Fetch-Site, Origin); the CLI, curl and scripts send neither.
/// </summary>
internal sealed partial class CrossSiteRequestFilter(ILogger<CrossSiteRequestFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!FromAnotherSite(request)) return await next(context);
        LogRefused(request.Method, request.Path, request.Headers.Origin.ToString());
        return Results.Problem("A change asked for by a page of another site is refused; use the CLI, the console, or a client that sends no Origin.",
            statusCode: StatusCodes.Status403Forbidden);
    }

    private static bool FromAnotherSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin endpoint: refused {Method} {Path} from a page of another site (Origin {Origin})")]
    private partial void LogRefused(string method, string path, string origin);
}
