using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Tokens;

/// <summary>
/// At start, gets a token for every account (health is known before the first message); then, every
/// RenewalInterval, redeems each delegated account's refresh token so it is replaced long before 90 idle days.
/// </summary>
public sealed partial class TokenRenewalService(TokenService tokens, IOptions<TokenServiceOptions> options, TimeProvider time, ILogger<TokenRenewalService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var account in tokens.AccountNames)
            await Attempt(() => tokens.GetAccessTokenAsync(account, tokens.Options(account).Protocols.FirstOrDefault(), stoppingToken));

        using var timer = new PeriodicTimer(options.Value.RenewalInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var account in tokens.AccountNames)
            {
                if (tokens.Options(account).Flow != AccountFlow.Delegated || !await tokens.HasSignInAsync(account)) continue;
                if (await Attempt(() => tokens.RenewAsync(account, stoppingToken))) LogRenewed(account);
            }
        }
    }

    // Failures are already health changes, logged once by the token service; here they only must not stop the loop.
    private static async Task<bool> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (TokenUnavailableException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Account}: refresh token renewed")]
    private partial void LogRenewed(string account);
}
