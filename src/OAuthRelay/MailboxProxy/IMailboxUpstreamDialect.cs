namespace OAuthRelay.MailboxProxy;

/// <summary>
/// The few upstream commands before a splice, in one protocol: greeting, XOAUTH2 or basic login, capabilities.
/// One instance per connection. Upstream lines are never logged: some carry the SASL exchange.
/// </summary>
internal interface IMailboxUpstreamDialect
{
    Task GreetAsync(CancellationToken cancellationToken);

    /// <summary>SASL XOAUTH2 with the base64 initial response; null when accepted, else the upstream's refusal line.</summary>
    Task<string?> AuthenticateXOAuth2Async(string initialResponse, CancellationToken cancellationToken);

    /// <summary>The client's own user name and password (OAuth off); null when accepted, else the upstream's refusal line.</summary>
    Task<string?> LoginAsync(string userName, string password, CancellationToken cancellationToken);

    /// <summary>What the upstream offers after login (IMAP), to be passed on to the client.</summary>
    Task<IReadOnlyList<string>> CapabilitiesAfterLoginAsync(CancellationToken cancellationToken);
}
