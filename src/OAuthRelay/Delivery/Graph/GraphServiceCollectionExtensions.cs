using System.Net.Security;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery.Graph;

internal static class GraphServiceCollectionExtensions
{
    /// <summary>
    /// The Graph transport, its refusal probe and its HttpClient: the upstream certificate trust (Upstream:TrustedCaFile,
    /// revocation), Upstream:Timeout per request, and retries only for upload requests (PUT of a byte range, safe to
    /// repeat, honouring Retry-After). A POST is never retried here: one that failed or timed out may have taken
    /// effect, so whether to try again is the delivery mode's decision (the queue retries later, pass-through answers 4xx).
    /// </summary>
    public static IServiceCollection AddGraphTransport(this IServiceCollection services)
    {
        services.AddSingleton<GraphMessageTransport>();
        services.AddSingleton<IUpstreamLoginProbe, GraphLoginProbe>();
        services.AddHttpClient(GraphMessageTransport.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var certificates = sp.GetRequiredService<UpstreamCertificateValidator>();
                return new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    SslOptions = new SslClientAuthenticationOptions
                    {
                        CertificateRevocationCheckMode = certificates.RevocationMode,
                        RemoteCertificateValidationCallback = certificates.CallbackFor("Microsoft Graph", 443),
                    },
                };
            })
            .AddResilienceHandler("graph", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<UpstreamOptions>>().Value;
                var retry = new HttpRetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.FromSeconds(1) };
                retry.DisableFor(HttpMethod.Post);
                pipeline.AddRetry(retry);
                pipeline.AddTimeout(options.Timeout);
            });
        return services;
    }
}
