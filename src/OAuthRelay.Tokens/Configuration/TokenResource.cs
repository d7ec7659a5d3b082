using OAuthRelay.Connections;

namespace OAuthRelay.Tokens.Configuration;

/// <summary>
/// An API the relay gets tokens for, and what it asks of it: one scope naming the API's application permissions
/// (<c>/.default</c>, the app flow) or its delegated permissions. A token has one audience, so tokens are held, and
/// refusals recorded, per resource (by <see cref="Name"/>); scopes are chosen by resource, never by mail protocol.
/// </summary>
public sealed record TokenResource(string Name, string AppScope, IReadOnlyList<string> DelegatedScopes)
{
    /// <summary>Exchange Online for SMTP AUTH (office365-facts.md section 2).</summary>
    public static readonly TokenResource Smtp = Exchange("Smtp", "SMTP.Send");

    /// <summary>Exchange Online for IMAP.</summary>
    public static readonly TokenResource Imap = Exchange("Imap", "IMAP.AccessAsUser.All");

    /// <summary>Exchange Online for POP3.</summary>
    public static readonly TokenResource Pop3 = Exchange("Pop3", "POP.AccessAsUser.All");

    public const string GraphName = "Graph";

    /// <summary>The permissions a Graph account's delegated tokens carry: sending, and drafts for messages over the request limit.</summary>
    public static readonly IReadOnlyList<string> GraphDelegatedPermissions = ["Mail.Send", "Mail.ReadWrite"];

    public static TokenResource For(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Smtp => Smtp,
        MailProtocol.Imap => Imap,
        MailProtocol.Pop3 => Pop3,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    /// <summary>Microsoft Graph in the account's cloud (<see cref="AccountOptions.GraphResource"/>).</summary>
    public static TokenResource Graph(AccountOptions account)
    {
        var audience = account.GraphResource.TrimEnd('/');
        return new TokenResource(GraphName, $"{audience}/.default", GraphDelegatedPermissions.Select(p => $"{audience}/{p}").ToList());
    }

    /// <summary>The scopes a token for this resource is asked with under <paramref name="flow"/>.</summary>
    public string[] Scopes(AccountFlow flow) => flow == AccountFlow.App ? [AppScope] : [.. DelegatedScopes];

    /// <summary>
    /// What a sign-in asks consent for: the transport's resource (Graph, or Exchange with the scopes of all the
    /// account's protocols). Entra ID issues a token for one resource at a time, so an account that also proxies
    /// IMAP or POP3 next to Graph needs those consented separately (admin consent).
    /// </summary>
    public static string[] ForSignIn(AccountOptions account) =>
        account.Transport == AccountTransport.Graph ? Graph(account).Scopes(account.Flow)
        : account.Flow == AccountFlow.App ? [Smtp.AppScope]
        : account.Protocols.Distinct().SelectMany(p => For(p).DelegatedScopes).ToArray();

    private static TokenResource Exchange(string name, string delegatedPermission) =>
        new(name, "https://outlook.office365.com/.default", [$"https://outlook.office.com/{delegatedPermission}"]);
}
