using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using OAuthRelay.State;
using OAuthRelay.Tokens.Cache;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Tokens.Msal;

namespace OAuthRelay.Tokens;

public static class TokenServiceCollectionExtensions
{
    /// <summary>
    /// The token service from sections "Accounts", "Tokens" and "State" (shared by replicas when State:Redis is set).
    /// A test may register its own IMsalHttpClientFactory first.
    /// </summary>
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
        services.AddSharedState(configuration);
        services.AddSingleton<ITokenStore>(sp => sp.GetRequiredService<IOptions<StateOptions>>().Value.IsShared
            ? ActivatorUtilities.CreateInstance<SharedTokenStore>(sp)
            : new FileTokenStore(sp.GetRequiredService<IOptions<TokenServiceOptions>>().Value));
        // Its constructor is internal (the store is not part of the public surface), which the activator does not use.
        services.AddSingleton(sp => new TokenService(
            sp.GetRequiredService<IOptions<Dictionary<string, AccountOptions>>>(),
            sp.GetRequiredService<IOptions<TokenServiceOptions>>(),
            sp.GetRequiredService<IOptions<StateOptions>>(),
            sp.GetRequiredService<ITokenStore>(),
            sp.GetRequiredService<ILeases>(),
            sp.GetRequiredService<MsalApplicationFactory>(),
            sp.GetRequiredService<IMsalHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        return services;
    }
}
