using OAuthRelay.Connections;

namespace OAuthRelay.Tokens.Configuration;

public enum AccountFlow
{
    /// <summary>A user's delegated token: refresh-token import, device code or authorization code sign-in.</summary>
    Delegated,

    /// <summary>Client credentials (app-only, SMTP.SendAsApp and friends).</summary>
    App,
}

/// <summary>
/// An upstream mailbox and the Entra ID app that gets its tokens (section "Accounts", keyed by account name).
/// Secrets never need to be inline: ClientSecret can come from the environment (OAUTHRELAY__Accounts__NAME__ClientSecret)
/// or from <see cref="ClientSecretFile"/>.
/// </summary>
public sealed class AccountOptions
{
    /// <summary>The mailbox mail is sent as: the user= of XOAUTH2 (a shared mailbox address works with a delegate's token).</summary>
    public string Mailbox { get; set; } = string.Empty;

    /// <summary>
    /// The user who signs in (delegated flow), when it is not the mailbox itself: a user with FullAccess and SendAs on a
    /// shared mailbox. Sign-ins as anyone else are refused.
    /// </summary>
    public string? SignInUser { get; set; }

    /// <summary>Whose sign-in the account's delegated tokens must come from.</summary>
    public string ExpectedUser => string.IsNullOrWhiteSpace(SignInUser) ? Mailbox : SignInUser;

    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>Tenant id or domain, or organizations, common, consumers.</summary>
    public string Tenant { get; set; } = "organizations";

    public string ClientId { get; set; } = string.Empty;

    public string? ClientSecret { get; set; }

    public string? ClientSecretFile { get; set; }

    /// <summary>A PEM certificate (with <see cref="CertificateKeyPath"/>) or a PFX file, instead of a secret.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificateKeyPath { get; set; }

    public string? CertificatePassword { get; set; }

    public AccountFlow Flow { get; set; } = AccountFlow.Delegated;

    /// <summary>How the account's outgoing mail goes upstream: SMTP AUTH or Microsoft Graph.</summary>
    public AccountTransport Transport { get; set; } = AccountTransport.Smtp;

    /// <summary>Microsoft Graph's endpoint for the account's cloud (Transport Graph); national clouds have their own.</summary>
    public string GraphBaseUrl { get; set; } = "https://graph.microsoft.com/v1.0/";

    /// <summary>Graph's token audience in the account's cloud (https://graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn).</summary>
    public string GraphResource { get; set; } = "https://graph.microsoft.com";

    /// <summary>The protocols this account is used for; a sign-in asks for all their scopes.</summary>
    public List<MailProtocol> Protocols { get; set; } = [MailProtocol.Smtp];

    /// <summary>Redirect URI of the Entra app for `login --auth-code` (the seed's native-client URI by default).</summary>
    public string RedirectUri { get; set; } = "https://login.microsoftonline.com/common/oauth2/nativeclient";

    public bool HasClientCredential => ClientSecret is not null || ClientSecretFile is not null || CertificatePath is not null;

    /// <summary><see cref="GraphBaseUrl"/> as the base that request paths are resolved against.</summary>
    public Uri GraphBase => new(GraphBaseUrl.EndsWith('/') ? GraphBaseUrl : GraphBaseUrl + "/");

    public Uri Authority => new(new Uri(AuthorityHost.EndsWith('/') ? AuthorityHost : AuthorityHost + "/"), Tenant.Trim('/') + "/");
}
