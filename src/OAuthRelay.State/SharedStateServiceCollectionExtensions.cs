using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OAuthRelay.State.Redis;

namespace OAuthRelay.State;

public static class SharedStateServiceCollectionExtensions
{
    /// <summary>
    /// The shared state from section "State": on Redis when State:Redis is set (then also <see cref="IVersionedValues"/>),
    /// in this process otherwise. Added once, by whichever composition asks first (the relay, a CLI command).
    /// </summary>
    public static IServiceCollection AddSharedState(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(s => s.ServiceType == typeof(SharedStateStatus))) return services;
        services.Configure<StateOptions>(configuration.GetSection("State"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SharedStateStatus(Options(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RedisConnection>(sp, Options(sp)));
        services.AddSingleton<ILeases>(sp => Shared(sp) ? ActivatorUtilities.CreateInstance<RedisLeases>(sp) : new InProcessLeases());
        services.AddSingleton<IConnectionSlots>(sp => Shared(sp) ? ActivatorUtilities.CreateInstance<RedisConnectionSlots>(sp, Options(sp)) : new UnboundedConnectionSlots());
        services.AddSingleton<IRateWindows>(sp => Shared(sp)
            ? ActivatorUtilities.CreateInstance<RedisRateWindows>(sp, Options(sp))
            : new LocalRateWindows(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IVersionedValues>(sp => Shared(sp)
            ? ActivatorUtilities.CreateInstance<RedisVersionedValues>(sp)
            : throw new InvalidOperationException("Versioned values are shared state: they need State:Redis."));
        return services;
    }

    private static StateOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<StateOptions>>().Value;

    private static bool Shared(IServiceProvider services) => Options(services).IsShared;
}
