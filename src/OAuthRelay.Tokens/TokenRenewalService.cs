using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OAuthRelay.State;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Tokens;

/// <summary>
/// Keeps every account's tokens fresh without waiting for mail: at start it gets a token for each account (health is
/// known before the first message); then it refreshes held tokens as they enter their margin, retries a failing
/// account when its back-off ends (so /readyz recovers on an idle relay when Entra ID does), notices a sign-in done
/// with the CLI, and every RenewalInterval redeems each delegated account's refresh token so 90 idle days never pass
/// (with shared state, one replica per interval does).
/// </summary>
public sealed partial class TokenRenewalService(TokenService tokens, IOptions<TokenServiceOptions> options, TimeProvider time, ILogger<TokenRenewalService> logger)
    : BackgroundService
{
    private readonly Pulse _changed = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var account in tokens.Accounts) account.Changed += Wake;
        try
        {
            foreach (var account in tokens.Accounts) await AttemptAsync(account, stoppingToken);
            var nextRenewal = time.GetUtcNow() + options.Value.RenewalInterval;
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = _changed.Next;
                if (time.GetUtcNow() >= nextRenewal)
                {
                    await RenewRefreshTokensAsync(stoppingToken);
                    nextRenewal = time.GetUtcNow() + options.Value.RenewalInterval;
                }

                foreach (var account in tokens.Accounts.Where(a => a.NextCheck() <= time.GetUtcNow() && !a.WaitingForSignIn))
                    await AttemptAsync(account, stoppingToken);

                var next = tokens.Accounts.Select(a => a.NextCheck()).Append(nextRenewal).Min()!.Value;
                await Pulse.WaitAsync(changed, next, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var account in tokens.Accounts) account.Changed -= Wake;
        }
    }

    private void Wake() => _changed.Wake();

    private async Task RenewRefreshTokensAsync(CancellationToken stoppingToken)
    {
        foreach (var account in tokens.Accounts.Where(a => a.Options.Flow == AccountFlow.Delegated))
        {
            if (!await account.HasSignInAsync() || !await tokens.ClaimRenewalAsync(account.Name, options.Value.RenewalInterval, stoppingToken)) continue;
            if (await AttemptAsync(() => tokens.RenewAsync(account.Name, stoppingToken))) LogRenewed(account.Name);
        }
    }

    /// <summary>Asks for a token for each resource in use; a held one that needs refreshing is refreshed.</summary>
    private async Task AttemptAsync(TokenAccount account, CancellationToken stoppingToken)
    {
        foreach (var resource in account.ResourcesInUse)
            await AttemptAsync(() => account.GetAsync(resource, TokenAccount.Need.Cached, null, stoppingToken));
    }

    // Failures are already health changes, logged once by the account; here they only must not stop the loop.
    private static async Task<bool> AttemptAsync(Func<Task> action)
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
