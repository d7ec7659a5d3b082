using System.Net;

namespace OAuthRelay.Clients;

/// <summary>A configured, validated client.</summary>
public sealed record RelayClient(string Name, string? UserName, string? PasswordHash, IReadOnlyList<IPNetwork> Networks);
