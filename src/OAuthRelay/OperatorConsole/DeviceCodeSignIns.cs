using System.Collections.Concurrent;
using OAuthRelay.Tokens;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// The device code sign-ins the console runs, one per account at a time, in the background so that the page can show
/// the code at once and report the outcome when the person has signed in. They end with the code's expiry, when
/// cancelled from the page, or when the relay stops.
/// </summary>
internal sealed partial class DeviceCodeSignIns(TokenService tokens, IHostApplicationLifetime lifetime, ConsoleAudit audit, ILogger<DeviceCodeSignIns> logger)
{
    private readonly ConcurrentDictionary<string, DeviceCodeSignIn> _latest = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The account's running sign-in, or its last outcome; null when none was started since the relay started.</summary>
    public DeviceCodeSignIn? For(string account) => _latest.GetValueOrDefault(account);

    /// <summary>Starts a sign-in for the account, unless one is already waiting (then that one stands).</summary>
    public DeviceCodeSignIn Start(string account, string who)
    {
        lock (_latest)
        {
            if (For(account) is { IsPending: true } running) return running;
            var signIn = new DeviceCodeSignIn(account, CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping));
            _latest[account] = signIn;
            audit.Did(who, $"started a device code sign-in for account {account}");
            _ = Task.Run(() => RunAsync(signIn));
            return signIn;
        }
    }

    private async Task RunAsync(DeviceCodeSignIn signIn)
    {
        try
        {
            signIn.Succeeded(await tokens.SignInWithDeviceCodeAsync(signIn.Account, prompt =>
            {
                signIn.Prompt = prompt;
                return Task.CompletedTask;
            }, signIn.Cancellation));
        }
        catch (OperationCanceledException)
        {
            signIn.Failed("Cancelled.");
        }
        catch (TokenUnavailableException e)
        {
            signIn.Failed(e.Health.ToString());
        }
        catch (Exception e) when (e is WrongUserSignedInException or InvalidOperationException or ArgumentException)
        {
            signIn.Failed(e.Message);
        }
        catch (Exception e)
        {
            // MSAL's own failures (the code expired, Entra ID unreachable): the log has the detail, the page the gist.
            LogFailed(e, signIn.Account);
            signIn.Failed($"The sign-in did not complete ({e.GetType().Name}); the relay's log has the detail.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console: device code sign-in for account {Account} failed")]
    private partial void LogFailed(Exception exception, string account);
}
