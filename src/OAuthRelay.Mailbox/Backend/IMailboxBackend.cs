using OAuthRelay.Mailbox.Splice;

namespace OAuthRelay.Mailbox.Backend;

/// <summary>
/// Decides a login the front end has read: who the client is and, if it may log in, the upstream session it is
/// spliced to. The front end owns the conversation; the backend owns the decision and the upstream.
/// </summary>
public interface IMailboxBackend
{
    ValueTask<MailboxLogin> LoginAsync(MailboxSessionInfo session, string userName, string password, CancellationToken cancellationToken);

    /// <summary>Told when a spliced session has ended (for metrics).</summary>
    void SessionEnded(MailboxSessionInfo session, SpliceResult result);
}
