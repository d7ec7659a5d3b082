using Microsoft.AspNetCore.Mvc.Filters;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// Response headers of every console page: only the console's own style sheet and script may run, no framing, no
/// referrer sent onwards. (Antiforgery already forbids caching every page that carries a form, which is every page.)
/// </summary>
internal sealed class ConsoleHeaders : IResultFilter
{
    private const string Policy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public void OnResultExecuting(ResultExecutingContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
