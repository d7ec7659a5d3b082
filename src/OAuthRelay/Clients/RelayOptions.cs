namespace OAuthRelay.Clients;

/// <summary>Section "Relay": defaults for all clients.</summary>
public sealed class RelayOptions
{
    /// <summary>Whether clients without their own OAuth setting go upstream with XOAUTH2 (the global switch).</summary>
    public bool OAuth { get; set; } = true;

    /// <summary>How clients without their own DeliveryMode hand their messages on: PassThrough or Queue.</summary>
    public DeliveryMode DeliveryMode { get; set; } = DeliveryMode.PassThrough;

    /// <summary>How long a successful password check is remembered, so apps that connect per message are not slowed by the hash.</summary>
    public TimeSpan CredentialCacheTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed logins from one address (an IPv6 /64) within <see cref="LoginFailureWindow"/> before it is refused without a password check.</summary>
    public int MaxLoginFailuresPerAddress { get; set; } = 10;

    /// <summary>Failed logins for one user name, from anywhere, within <see cref="LoginFailureWindow"/> before it is refused without a password check.</summary>
    public int MaxLoginFailuresPerUser { get; set; } = 10;

    /// <summary>How long failures are remembered, and how long a spent budget refuses logins after the last failure.</summary>
    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Password hashes computed at once across all clients; 0: one per processor core. Beyond it logins are told to try again.</summary>
    public int MaxConcurrentPasswordChecks { get; set; }
}
