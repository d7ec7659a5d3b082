using System.Net;
using System.Text.RegularExpressions;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>
/// A browser's part in the console's forms, over real HTTP: keeps cookies, follows no redirect by itself (tests look
/// at each), and posts forms with the antiforgery token of the page they are on.
/// </summary>
internal sealed partial class ConsoleClient : IDisposable
{
    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _http;

    public ConsoleClient(Uri baseAddress)
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    /// <summary>A page that must answer 200; its HTML.</summary>
    public async Task<string> PageAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}\n{html}");
        return html;
    }

    /// <summary>Posts a form as the page at <paramref name="page"/> (query and all) would, with that page's antiforgery token.</summary>
    public async Task<HttpResponseMessage> PostAsync(string page, string? handler, IDictionary<string, string> fields)
    {
        var token = AntiforgeryToken(await PageAsync(page));
        return await PostWithoutPageAsync(page.Split('?')[0], handler, new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token });
    }

    /// <summary>Posts exactly the given fields (no token added): what a forged cross-site form would send.</summary>
    public Task<HttpResponseMessage> PostWithoutPageAsync(string page, string? handler, IDictionary<string, string> fields) =>
        _http.PostAsync(handler is null ? page : $"{page}?handler={handler}", new FormUrlEncodedContent(fields));

    /// <summary>Posts a form and follows the redirect back to the page; the HTML shows the notice or the problem.</summary>
    public async Task<string> ChangeAsync(string page, string handler, IDictionary<string, string> fields)
    {
        using var response = await PostAsync(page, handler, fields);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"POST {page}?handler={handler}: {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}");
        return await PageAsync(response.Headers.Location!.ToString());
    }

    /// <summary>Signs in from the sign-in page, asking to be sent on to <paramref name="returnUrl"/>.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string password, string? returnUrl = null) =>
        await PostAsync("/sign-in", handler: null, new Dictionary<string, string> { ["password"] = password, ["returnUrl"] = returnUrl ?? "" });

    public Cookie? Cookie(string name) => _cookies.GetAllCookies().FirstOrDefault(c => c.Name == name);

    public static string AntiforgeryToken(string html) =>
        TokenField().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("The page has no antiforgery token.");

    /// <summary>The notice (role=status) or problem (role=alert) the page shows, or null.</summary>
    public static string? Message(string html, string role) =>
        MessageParagraph().Matches(html).FirstOrDefault(m => m.Groups[1].Value == role)?.Groups[2].Value is { } text ? WebUtility.HtmlDecode(text) : null;

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<p class=\"[a-z -]+\" role=\"(status|alert)\">(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex MessageParagraph();
}
