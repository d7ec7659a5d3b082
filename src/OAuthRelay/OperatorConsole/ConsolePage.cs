using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OAuthRelay.Clients;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// What every console page shares: the notice or problem left by the last change (shown once, after the redirect that
/// follows every form), and who is making a change, for the audit line.
/// </summary>
internal abstract class ConsolePage : PageModel
{
    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? Problem { get; set; }

    /// <summary>How often the page's script refreshes its content, in seconds; 0: never (pages with forms to fill in).</summary>
    public virtual int RefreshSeconds => 15;

    /// <summary>Whether the page reloads itself without script too (while something is under way that the page reports).</summary>
    public virtual bool ReloadWithoutScript => false;

    /// <summary>The one admin identity, told apart by the address it signs in from.</summary>
    protected string Who => $"admin at {ClientAuthenticator.AddressKey(HttpContext.Connection.RemoteIpAddress)}";

    /// <summary>Back to the page (GET) with the outcome of a change: post, redirect, get, so a reload never repeats it.</summary>
    protected IActionResult Outcome(string? problem, string? notice = null)
    {
        Problem = problem;
        Notice = problem is null ? notice : null;
        return RedirectToPage();
    }
}
