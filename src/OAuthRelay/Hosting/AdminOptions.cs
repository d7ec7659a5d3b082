namespace OAuthRelay.Hosting;

/// <summary>Section "Admin": the HTTP endpoint for health checks; off unless a port is set.</summary>
public sealed class AdminOptions
{
    public string Address { get; set; } = "127.0.0.1";

    public int? Port { get; set; }
}
