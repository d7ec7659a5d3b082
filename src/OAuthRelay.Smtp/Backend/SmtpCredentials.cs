namespace OAuthRelay.Smtp.Backend;

/// <summary>
/// Credentials from AUTH PLAIN or LOGIN. <see cref="ToString"/> never shows the password, so that a log
/// line or exception that prints this object cannot leak it.
/// </summary>
public sealed class SmtpCredentials(string mechanism, string userName, string password)
{
    public string Mechanism { get; } = mechanism;

    public string UserName { get; } = userName;

    public string Password { get; } = password;

    public override string ToString() => $"{Mechanism} user={UserName} password=***";
}
