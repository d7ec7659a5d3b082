namespace OAuthRelay.Tokens;

/// <summary>
/// What the person signing in needs for the device code flow: the code, where to enter it, until when, and whom to sign
/// in as. Never the device code itself, which redeems the sign-in.
/// </summary>
public sealed record DeviceCodePrompt(string UserCode, string VerificationUrl, DateTimeOffset ExpiresOn, string ExpectedUser, string Message)
{
    public override string ToString() => $"{Message} Sign in as {ExpectedUser}.";
}
