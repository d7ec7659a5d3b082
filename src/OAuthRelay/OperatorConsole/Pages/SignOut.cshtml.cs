using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace OAuthRelay.OperatorConsole.Pages;

/// <summary>Ends the console session (POST only, with the antiforgery token like every change).</summary>
internal sealed class SignOutModel : ConsolePage
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return LocalRedirect(ConsoleSetup.SignInPath);
    }
}
