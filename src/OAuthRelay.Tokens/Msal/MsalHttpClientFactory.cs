using Microsoft.Identity.Client;

namespace OAuthRelay.Tokens.Msal;

/// <summary>One HttpClient for all MSAL requests, with a short timeout: a hung Entra ID must not hold mail for minutes.</summary>
public sealed class MsalHttpClientFactory(TimeSpan timeout, HttpMessageHandler? handler = null) : IMsalHttpClientFactory
{
    private readonly HttpClient _client = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = timeout };

    public HttpClient GetHttpClient() => _client;
}
