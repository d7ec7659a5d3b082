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
    int? MaxRecipients);
