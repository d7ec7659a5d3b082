namespace OAuthRelay.Spool;

/// <summary>
/// What the SMTP conversation settled about a message: the relay's id for it, whose it is (the client, and the account
/// it goes out through; none for a client with OAuth off), the envelope sender (empty for a bounce) and recipients,
/// whether it needs SMTPUTF8, its size and when it was received. Never a credential.
/// </summary>
public sealed record Envelope(
    string Id,
    string Client,
    string? Account,
    string Sender,
    IReadOnlyList<string> Recipients,
    bool SmtpUtf8,
    long Size,
    DateTimeOffset Received);
