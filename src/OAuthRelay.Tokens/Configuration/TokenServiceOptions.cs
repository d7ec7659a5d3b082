namespace OAuthRelay.Tokens.Configuration;

/// <summary>Section "Tokens": where the encrypted cache lives, and how eagerly tokens are renewed.</summary>
public sealed class TokenServiceOptions
{
    /// <summary>Folder of the encrypted token cache files, one per account (mode 0600).</summary>
    public string CacheDirectory { get; set; } = "var/tokens";

    /// <summary>The 256-bit cache key, base64; best from the environment (OAUTHRELAY__Tokens__CacheKey).</summary>
    public string? CacheKey { get; set; }

    /// <summary>A file holding the base64 key; made (mode 0600) with a warning when neither key nor file exists.</summary>
    public string CacheKeyFile { get; set; } = "var/token-cache.key";

    /// <summary>Access tokens are renewed when they have less than this left.</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often each delegated account's refresh token is renewed, so 90 days of inactivity never pass.</summary>
    public TimeSpan RenewalInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A PEM file of extra CAs to trust for Entra ID's certificate (a TLS-inspecting proxy's, a private authority's).</summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>Timeout of one request to Entra ID.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait after a transient failure; doubles up to <see cref="MaxBackoff"/>, or follows Retry-After.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);
}
