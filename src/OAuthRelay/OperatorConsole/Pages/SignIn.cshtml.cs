using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace OAuthRelay.OperatorConsole.Pages;

/// <summary>The one form open to everyone: the admin password, checked by <see cref="ConsoleSignIn"/>.</summary>
internal sealed class SignInModel(ConsoleSignIn signIn) : ConsolePage
{
    public override int RefreshSeconds => 0;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the last attempt failed; shown on its own response, never carried to another page.</summary>
    public string? Refusal { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? password)
    {
        var outcome = await signIn.CheckAsync(HttpContext.Connection.RemoteIpAddress, password ?? string.Empty);
        if (outcome != ConsoleSignIn.Outcome.Accepted)
        {
            Refusal = outcome switch
            {
                ConsoleSignIn.Outcome.Blocked => "Too many failed sign-ins from this address; try again later.",
                ConsoleSignIn.Outcome.Busy => "Another sign-in is being checked; try again.",
                _ => "That is not the admin password.",
            };
            return Page();
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
