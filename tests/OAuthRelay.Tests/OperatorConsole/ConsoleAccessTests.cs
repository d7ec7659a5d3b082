using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Observability;
using OAuthRelay.OperatorConsole;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>Who gets into the console, over real HTTP on loopback: the admin password, its cookie, antiforgery, the bearer token.</summary>
public sealed class ConsoleAccessTests
{
    // No other timer of the relay runs for this long: the one the test waits for is the sign-in's.
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(433);

    private static readonly string[] Pages = ["/", "/clients", "/accounts", "/mail-queue", "/messages"];

    private static readonly (string Page, string Handler)[] Changes =
    [
        ("/clients", "OAuth"), ("/clients", "Mode"), ("/clients", "Enabled"), ("/accounts", "SignIn"), ("/accounts", "Cancel"),
        ("/accounts", "Import"), ("/mail-queue", "Retry"), ("/mail-queue", "Hold"), ("/mail-queue", "Release"), ("/mail-queue", "Delete"),
    ];

    [Fact]
    public async Task Without_an_admin_password_the_console_is_off_and_says_how_to_turn_it_on()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Admin:Port"] = "0" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://{host.Services.GetRequiredService<AdminEndpoint>().EndPoint}/") };

        var response = await http.GetAsync("/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("The operator console is off", page);
        Assert.Contains("hash-password", page);
        Assert.Contains("Admin:PasswordHash", page);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/clients")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/status")).StatusCode);
    }

    [Fact]
    public async Task Every_page_and_every_change_wants_a_sign_in_first()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var anonymous = console.Client();
        var file = await File.ReadAllBytesAsync(console.ConfigFile);

        foreach (var page in Pages)
        {
            using var response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal($"/sign-in?ReturnUrl={Uri.EscapeDataString(page)}", response.Headers.Location!.PathAndQuery);
        }

        // With a valid antiforgery token from the sign-in page: refused for want of a sign-in, not of a token.
        var token = ConsoleClient.AntiforgeryToken(await anonymous.PageAsync("/sign-in"));
        foreach (var (page, handler) in Changes)
        {
            using var response = await anonymous.PostWithoutPageAsync(page, handler, new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["client"] = "app", ["value"] = "off", ["account"] = "office", ["id"] = "x",
            });
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/sign-in", response.Headers.Location!.PathAndQuery);
        }

        Assert.Equal(file, await File.ReadAllBytesAsync(console.ConfigFile));
    }

    [Fact]
    public async Task Signing_in_sets_a_strict_http_only_cookie_and_returns_to_the_page_asked_for()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = console.Client();

        using var response = await client.SignInAsync(ConsoleRig.AdminPassword, "/clients");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/clients", response.Headers.Location!.ToString());
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("oauthrelay-console="));
        Assert.Contains("samesite=strict", cookie);
        Assert.Contains("httponly", cookie);
        Assert.DoesNotContain("secure", cookie); // plain HTTP here; Secure comes with a request over TLS
        Assert.Contains("<h1>Clients</h1>", await client.PageAsync("/clients"));
        Assert.Contains(console.Rig.Relay.Logs.Lines, l => l.Contains("Console: signed in from 127.0.0.1"));
    }

    [Fact]
    public async Task A_return_address_elsewhere_is_not_followed()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = console.Client();

        using var response = await client.SignInAsync(ConsoleRig.AdminPassword, "https://elsewhere.test/");

        Assert.Equal("/", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_logged_and_an_address_that_keeps_guessing_is_shut_out()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = console.Client();

        for (var attempt = 0; attempt < ConsoleSignIn.MaxFailuresPerAddress; attempt++)
        {
            using var refused = await client.SignInAsync("guess " + attempt);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("That is not the admin password.", await refused.Content.ReadAsStringAsync());
        }

        Assert.Null(client.Cookie("oauthrelay-console"));
        Assert.Equal(ConsoleSignIn.MaxFailuresPerAddress, console.Rig.Relay.Logs.Count("Console: sign-in from 127.0.0.1 failed (Refused)"));
        using var blocked = await client.SignInAsync(ConsoleRig.AdminPassword);
        Assert.Contains("Too many failed sign-ins from this address", await blocked.Content.ReadAsStringAsync());
        Assert.Null(client.Cookie("oauthrelay-console"));
        Assert.Contains(console.Rig.Relay.Logs.Lines, l => l.Contains("Console: sign-in from 127.0.0.1 failed (Blocked)"));
    }

    [Fact]
    public async Task A_failed_sign_in_is_answered_only_after_the_delay()
    {
        var time = new SignalingTimeProvider();
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Admin:Port"] = "0", ["Admin:PasswordHash"] = ConsoleRig.AdminPasswordHash, ["Admin:SignInFailureDelay"] = Delay.ToString(),
        }, time);
        using var client = new ConsoleClient(new Uri($"http://{host.Services.GetRequiredService<AdminEndpoint>().EndPoint}/"));

        var answer = client.SignInAsync("a guess");
        await time.WaitForTimerAsync(Delay);
        Assert.False(answer.IsCompleted);
        time.Advance(Delay);

        using var refused = await answer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("That is not the admin password.", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();
        var file = await File.ReadAllBytesAsync(console.ConfigFile);

        foreach (var (page, handler) in Changes)
        {
            using var response = await client.PostWithoutPageAsync(page, handler, new Dictionary<string, string> { ["client"] = "app", ["value"] = "off", ["account"] = "office", ["id"] = "x" });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using var signIn = await console.Client().PostWithoutPageAsync("/sign-in", null, new Dictionary<string, string> { ["password"] = ConsoleRig.AdminPassword });
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.Equal(file, await File.ReadAllBytesAsync(console.ConfigFile));
        Assert.True(console.Registry.Clients.Single(c => c.Name == "app").OAuth);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();

        var token = ConsoleClient.AntiforgeryToken(await client.PageAsync("/"));
        using var response = await client.PostWithoutPageAsync("/sign-out", null, new Dictionary<string, string> { ["__RequestVerificationToken"] = token });

        Assert.Equal("/sign-in", response.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task The_bearer_token_still_guards_the_json_endpoints_and_the_console_cookie_is_no_substitute()
    {
        await using var console = await ConsoleRig.StartAsync(s => s["Admin:BearerToken"] = "the-bearer-token-0123");
        using var client = await console.SignedInClientAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/status")).StatusCode);
        using var http = new HttpClient { BaseAddress = console.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "the-bearer-token-0123");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_and_the_assets_come_from_the_assembly()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();

        using var page = await client.GetAsync("/");
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        using var css = await console.Client().GetAsync("/assets/console.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
        Assert.Contains("prefers-color-scheme: dark", await css.Content.ReadAsStringAsync());
        using var script = await console.Client().GetAsync("/assets/console.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
    }
}
