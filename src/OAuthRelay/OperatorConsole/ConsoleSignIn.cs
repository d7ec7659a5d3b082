using System.Net;
using Microsoft.Extensions.Options;
using OAuthRelay.Clients;
using OAuthRelay.Observability;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// Checks the console's admin password against Admin:PasswordHash. A failure is logged and answered only after
/// Admin:SignInFailureDelay; an address with too many recent failures is refused without a hash; one hash at a time
/// relay-wide, so sign-in attempts can never take the CPU from the mail.
/// </summary>
internal sealed partial class ConsoleSignIn(IOptions<AdminOptions> options, TimeProvider time, ILogger<ConsoleSignIn> logger)
{
    internal const int MaxFailuresPerAddress = 10;
    internal static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);

    private readonly LoginFailureBudget _failures = new(MaxFailuresPerAddress, FailureWindow, time);
    private readonly PasswordCheckSlots _slots = new(maxConcurrent: 1);

    public enum Outcome
    {
        Accepted,
        Refused,
        Blocked,
        Busy,
    }

    public async Task<Outcome> CheckAsync(IPAddress? source, string password)
    {
        var address = ClientAuthenticator.AddressKey(source);
        var outcome = await VerifyAsync(address, password);
        if (outcome == Outcome.Accepted)
        {
            LogSignedIn(address);
            return outcome;
        }

        LogFailed(address, outcome);
        await Task.Delay(options.Value.SignInFailureDelay, time);
        return outcome;
    }

    private async Task<Outcome> VerifyAsync(string address, string password)
    {
        // Taken before hashing, given back on success: parallel guesses from one address cannot overrun the budget.
        if (!_failures.TryReserve(address)) return Outcome.Blocked;
        using var slot = await _slots.EnterAsync(address);
        if (slot is null)
        {
            _failures.Release(address);
            return Outcome.Busy;
        }

        if (!PasswordHasher.Verify(password, options.Value.PasswordHash!)) return Outcome.Refused;
        _failures.Release(address);
        return Outcome.Accepted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Console: signed in from {Address}")]
    private partial void LogSignedIn(string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console: sign-in from {Address} failed ({Outcome})")]
    private partial void LogFailed(string address, Outcome outcome);
}
