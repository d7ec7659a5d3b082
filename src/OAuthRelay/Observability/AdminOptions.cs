namespace OAuthRelay.Observability;

/// <summary>Section "Admin": the HTTP endpoint for probes, status and metrics; off unless a port is set.</summary>
public sealed class AdminOptions
{
    /// <summary>Loopback by default: status names clients and accounts.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int? Port { get; set; }

    /// <summary>When set, /status and /metrics want "Authorization: Bearer" this value; the probes stay open.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A file holding the bearer token (a mounted secret), instead of <see cref="BearerToken"/>.</summary>
    public string? BearerTokenFile { get; set; }

    public string? ReadBearerToken() => BearerTokenFile is { } file ? File.ReadAllText(file).Trim() : BearerToken;
}
