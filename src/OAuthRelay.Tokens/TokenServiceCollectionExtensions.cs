using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Tokens.Msal;

namespace OAuthRelay.Tokens;

public static class TokenServiceCollectionExtensions
{
    /// <summary>The token service from sections "Accounts" and "Tokens". A test may register its own IMsalHttpClientFactory first.</summary>
    public static IServiceCollection AddTokenService(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Dictionary<string, AccountOptions>>(configuration.GetSection("Accounts"));
        services.Configure<TokenServiceOptions>(configuration.GetSection("Tokens"));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMsalHttpClientFactory>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TokenServiceOptions>>().Value;
            return new MsalHttpClientFactory(options.HttpTimeout, options.TrustedCaFile);
        });
        services.AddSingleton<MsalApplicationFactory>();
        services.AddSingleton<TokenService>();
        return services;
    }
}
