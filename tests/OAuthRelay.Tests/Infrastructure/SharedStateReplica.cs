using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Fakes;
using OAuthRelay.State;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>One replica's shared state on its own (no relay around it), through a gateway of its own, on the test's clock.</summary>
internal static class SharedStateReplica
{
    public static ServiceProvider Start(LoopbackRedis redis, TimeProvider time, int replicas = 1)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["State:Redis"] = $"127.0.0.1:{redis.OpenGateway().EndPoint.Port}",
            ["State:Replicas"] = replicas.ToString(),
            // This machine is shared and loaded: an answer that takes two seconds here is not Redis failing.
            ["State:Timeout"] = "00:00:10",
        }).Build();
        return new ServiceCollection().AddLogging().AddSingleton(time).AddSharedState(configuration).BuildServiceProvider();
    }
}
