using OAuthRelay.Tokens;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// One device code sign-in started from the console: first waiting for Entra ID's code, then for the person to enter
/// it, then signed in (who, scopes, until when) or failed with the reason. Holds no token.
/// </summary>
internal sealed class DeviceCodeSignIn(string account, CancellationTokenSource cancellation)
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Account { get; } = account;

    public DeviceCodePrompt? Prompt { get; set; }

    public SignInResult? Result { get; private set; }

    public string? Failure { get; private set; }

    public bool IsPending => Result is null && Failure is null;

    public CancellationToken Cancellation => cancellation.Token;

    /// <summary>Completes when the sign-in has succeeded or failed.</summary>
    public Task Finished => _finished.Task;

    public void Succeeded(SignInResult result)
    {
        Result = result;
        _finished.TrySetResult();
    }

    public void Failed(string reason)
    {
        Failure = reason;
        _finished.TrySetResult();
    }

    public void Cancel() => cancellation.Cancel();
}
