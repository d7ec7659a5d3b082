namespace OAuthRelay.Clients;

/// <summary>
/// What clients are checked against beyond their own entries: whether a client with OAuth on must name an account
/// (mail goes upstream, not to the capture folder), and which accounts the running relay can serve (null: every
/// account in the file, as for the CLI; the running relay serves only those its token service started with).
/// </summary>
public sealed record ClientRules(bool OAuthNeedsAccount, IReadOnlySet<string>? ServableAccounts);
