namespace OAuthRelay.Mailbox.Backend;

public enum MailboxLoginOutcome
{
    Succeeded,

    /// <summary>The client's credentials are wrong (IMAP NO [AUTHENTICATIONFAILED], POP3 -ERR [AUTH]).</summary>
    BadCredentials,

    /// <summary>The credentials may be fine but the upstream cannot be used now (IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP]).</summary>
    Unavailable,

    /// <summary>This client may not try again for a while (too many failures): answered as temporary, then the connection closes.</summary>
    Refused,

    /// <summary>The relay failed while deciding (IMAP NO [SERVERBUG], POP3 -ERR [SYS/TEMP]).</summary>
    Failed,
}

/// <summary>The backend's answer to a login: the logged-in upstream, or why not in words fit for the client.</summary>
public sealed record MailboxLogin(MailboxLoginOutcome Outcome, string Text, IUpstreamMailbox? Upstream)
{
    public static MailboxLogin Succeeded(IUpstreamMailbox upstream) => new(MailboxLoginOutcome.Succeeded, "Logged in", upstream);

    public static MailboxLogin BadCredentials() => new(MailboxLoginOutcome.BadCredentials, "Authentication failed", null);

    public static MailboxLogin Unavailable(string text) => new(MailboxLoginOutcome.Unavailable, text, null);

    public static MailboxLogin Refused(string text) => new(MailboxLoginOutcome.Refused, text, null);

    public static MailboxLogin Failed() => new(MailboxLoginOutcome.Failed, "Internal error in the relay; try again later", null);
}
