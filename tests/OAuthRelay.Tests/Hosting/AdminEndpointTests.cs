using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Observability;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tokens;

namespace OAuthRelay.Tests.Hosting;

public sealed class AdminEndpointTests
{
    [Fact]
    public async Task Health_reports_each_account_with_its_action_and_503_when_one_needs_sign_in()
    {
        var cache = Directory.CreateTempSubdirectory("oauthrelay-admin-").FullName;
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Admin:Port"] = "0",
            ["Accounts:office:Mailbox"] = "relay@contoso.test",
            ["Accounts:office:ClientId"] = "11111111-2222-3333-4444-555555555555",
            ["Accounts:office:AuthorityHost"] = "https://127.0.0.1:9/", // never contacted: there is no sign-in to redeem
            ["Tokens:CacheDirectory"] = cache,
            ["Tokens:CacheKey"] = Convert.ToBase64String(new byte[32]),
        });
        var tokens = host.Services.GetRequiredService<TokenService>();
        await Assert.ThrowsAsync<TokenUnavailableException>(() => tokens.GetAccessTokenAsync("office", TokenResource.Smtp));

        using var http = new HttpClient();
        var response = await http.GetAsync($"http://{host.Services.GetRequiredService<AdminEndpoint>().EndPoint}/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var account = json.RootElement.GetProperty("accounts")[0];
        Assert.Equal("office", account.GetProperty("account").GetString());
        Assert.Equal("NeedsSignIn", account.GetProperty("state").GetString());
        Assert.Contains("import-refresh-token office", account.GetProperty("action").GetString());
        Directory.Delete(cache, recursive: true);
    }
}
