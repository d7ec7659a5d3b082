namespace OAuthRelay.Clients;

/// <summary>
/// One legacy application as the operator configures it (section "Clients", keyed by client name).
/// It is recognised by its SMTP AUTH user name and password hash, or by the network it connects from.
/// </summary>
public sealed class ClientOptions
{
    /// <summary>The SMTP AUTH user name the application already sends.</summary>
    public string? UserName { get; set; }

    /// <summary>A hash from <c>oauthrelay hash-password</c>; never the password itself.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>Networks (CIDR) whose connections are this client without AUTH; opt-in, for apps that never authenticate.</summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>A disabled client is refused as if unknown.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The upstream account (section "Accounts") this client's mail goes out through.</summary>
    public string? Account { get; set; }

    /// <summary>true: XOAUTH2 with the account's token; false: the client's own credentials upstream; unset: Relay:OAuth.</summary>
    public bool? OAuth { get; set; }

    /// <summary>PassThrough or Queue; unset: Relay:DeliveryMode.</summary>
    public DeliveryMode? DeliveryMode { get; set; }

    /// <summary>Envelope senders allowed: addresses, "*@domain" or "*". Default: the account's mailbox.</summary>
    public List<string> AllowedSenders { get; set; } = [];

    public long? MaxMessageSize { get; set; }

    public int? MaxRecipients { get; set; }
}
