using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.Mvc;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// The operator console on the admin endpoint: Razor Pages under /, on only when Admin:PasswordHash is set. Signed in
/// with a cookie (HttpOnly, SameSite=Strict, Secure whenever the request came over TLS); antiforgery on every form;
/// the keys protecting both live in memory only (<see cref="InMemoryKeyRepository"/>). The JSON
/// endpoints keep their bearer token and know nothing of the cookie.
/// </summary>
internal static class ConsoleSetup
{
    public const string SignInPath = "/sign-in";

    private const string OffPage = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>OAuthRelay console is off</title></head><body><main>
        <h1>The operator console is off</h1>
        <p>To turn it on, make a hash of an admin password with <code>oauthrelay hash-password</code>, set it as
        <code>Admin:PasswordHash</code> in the configuration file and restart the relay.</p>
        <p>The JSON endpoints (/status, /metrics, /health) work as before.</p>
        </main></body></html>
        """;

    public static bool IsOn(IConfiguration configuration) => !string.IsNullOrEmpty(configuration["Admin:PasswordHash"]);

    public static void AddOperatorConsole(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsOn(configuration)) return;

        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/OperatorConsole/Pages";
            pages.Conventions.AuthorizeFolder("/");
            pages.Conventions.AllowAnonymousToPage("/SignIn");
        }).AddMvcOptions(mvc => mvc.Filters.Add(new ConsoleHeaders()));
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = "oauthrelay-console";
            StrictCookie(cookie.Cookie);
            cookie.LoginPath = SignInPath;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });
        services.AddAuthorization();
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "oauthrelay-antiforgery";
            StrictCookie(antiforgery.Cookie);
        });
        services.Configure<CookieTempDataProviderOptions>(notice =>
        {
            notice.Cookie.Name = "oauthrelay-notice";
            StrictCookie(notice.Cookie);
        });
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(keys =>
        {
            keys.XmlRepository = new InMemoryKeyRepository();
            keys.XmlEncryptor = new NullXmlEncryptor(); // the keys never leave the process's memory
        });
        services.AddSingleton<ConsoleSignIn>();
        services.AddSingleton<ConsoleAudit>();
        services.AddSingleton<DeviceCodeSignIns>();
    }

    public static void Map(WebApplication app)
    {
        if (!IsOn(app.Configuration))
        {
            app.MapGet("/", () => Results.Content(OffPage, "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound));
            return;
        }

        app.UseAuthentication();
        app.UseAuthorization();
        ConsoleAssets.Map(app);
        app.MapRazorPages();
    }

    private static void StrictCookie(CookieBuilder cookie)
    {
        cookie.HttpOnly = true;
        cookie.SameSite = SameSiteMode.Strict;
        cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
    }
}
