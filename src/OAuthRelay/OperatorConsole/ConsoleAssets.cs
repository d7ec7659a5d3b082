using System.Reflection;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// The console's style sheet and script, embedded in the assembly: nothing is read from disk or fetched at run time,
/// so the console works offline and in a read-only container.
/// </summary>
internal static class ConsoleAssets
{
    public const string StyleSheet = "/assets/console.css";
    public const string Script = "/assets/console.js";

    public static void Map(IEndpointRouteBuilder routes)
    {
        Serve(routes, StyleSheet, "text/css; charset=utf-8");
        Serve(routes, Script, "text/javascript; charset=utf-8");
    }

    private static void Serve(IEndpointRouteBuilder routes, string path, string contentType)
    {
        var content = Read(Path.GetFileName(path));
        routes.MapGet(path, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(content, contentType);
        });
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"console/{name}")
                           ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
