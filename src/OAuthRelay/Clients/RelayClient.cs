using System.Net;

namespace OAuthRelay.Clients;

/// <summary>A configured, validated client with its effective policy.</summary>
public sealed record RelayClient(
    string Name,
    string? UserName,
    string? PasswordHash,
    IReadOnlyList<IPNetwork> Networks,
    string? Account,
    bool OAuth,
    SenderPolicy Senders,
    long? MaxMessageSize,
    int? MaxRecipients,
    DeliveryMode DeliveryMode = DeliveryMode.PassThrough)
{
    /// <summary>Why the running relay cannot serve this client until it restarts (it names an account added since), or null.</summary>
    public string? UnavailableReason { get; init; }
}
