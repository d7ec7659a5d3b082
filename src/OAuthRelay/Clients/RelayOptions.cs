namespace OAuthRelay.Clients;

/// <summary>Section "Relay": defaults for all clients.</summary>
public sealed class RelayOptions
{
    /// <summary>Whether clients without their own OAuth setting go upstream with XOAUTH2 (the global switch).</summary>
    public bool OAuth { get; set; } = true;

    /// <summary>How long a successful password check is remembered, so apps that connect per message are not slowed by the hash.</summary>
    public TimeSpan CredentialCacheTime { get; set; } = TimeSpan.FromMinutes(5);
}
