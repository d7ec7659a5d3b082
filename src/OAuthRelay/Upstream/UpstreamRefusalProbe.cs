using Microsoft.Extensions.Options;
using OAuthRelay.Tokens;

namespace OAuthRelay.Upstream;

/// <summary>
/// While the upstream refuses an account's tokens (SMTP AUTH disabled, a permission missing), tries a login every
/// <see cref="UpstreamOptions.RefusalProbeInterval"/>, so that health and /readyz turn green on their own once an
/// administrator has fixed Exchange: a relay taken out of service by its readiness probe gets no mail to find out.
/// </summary>
internal sealed partial class UpstreamRefusalProbe(
    TokenService tokens,
    IEnumerable<IUpstreamLoginProbe> probes,
    IOptions<UpstreamOptions> options,
    TimeProvider time,
    ILogger<UpstreamRefusalProbe> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefusalProbeInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var (account, resource) in tokens.UpstreamRefusals())
                {
                    var probe = probes.FirstOrDefault(p => p.Resource == resource.Name);
                    if (probe is null) continue;
                    try
                    {
                        await probe.ProbeAsync(UpstreamIdentity.OAuth(account, tokens.Options(account).Mailbox), stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        // A refusal is recorded by the login itself; anything else only means: not yet.
                        LogProbeFailed(account, resource.Name, e.GetType().Name);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Account {Account}: {Resource} login probe did not get through ({Error})")]
    private partial void LogProbeFailed(string account, string resource, string error);
}
