namespace OAuthRelay.Observability;

/// <summary>Section "Admin": the HTTP endpoint for probes, status, metrics and the operator console; off unless a port is set.</summary>
public sealed class AdminOptions
{
    /// <summary>Loopback by default: status names clients and accounts.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int? Port { get; set; }

    /// <summary>When set, /status and /metrics want "Authorization: Bearer" this value; the probes stay open.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A file holding the bearer token (a mounted secret), instead of <see cref="BearerToken"/>.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>The console's sign-in password, as a hash from <c>hash-password</c>; without it the console is off.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>How long a failed console sign-in waits before its answer, so that guessing is slow.</summary>
    public TimeSpan SignInFailureDelay { get; set; } = TimeSpan.FromSeconds(2);

    public string? ReadBearerToken() => BearerTokenFile is { } file ? File.ReadAllText(file).Trim() : BearerToken;
}
