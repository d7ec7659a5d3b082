namespace OAuthRelay.Tokens.Health;

public enum TokenHealthState
{
    /// <summary>Tokens are being obtained.</summary>
    Healthy,

    /// <summary>Entra ID is unreachable, failing or throttling; retrying with back-off, cached refresh token kept.</summary>
    Degraded,

    /// <summary>The refresh token is gone (expired, revoked, consent or MFA needed): an operator must sign in again.</summary>
    NeedsSignIn,

    /// <summary>The Entra app settings are wrong (secret, client id, tenant) or the cache cannot be read.</summary>
    Misconfigured,

    /// <summary>Tokens are obtained, but the mail upstream refuses them (SMTP AUTH disabled, a missing permission).</summary>
    Unauthorized,
}
