using OAuthRelay.Mailbox.Backend;
using OAuthRelay.Mailbox.Splice;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>
/// The relay's own backends with a fault injected: any SMTP step, or an IMAP/POP3 login, whose text contains
/// <see cref="Trigger"/> throws as a bug or a failing dependency would. Everything else goes to the real backend.
/// </summary>
internal static class FailingBackends
{
    public const string Trigger = "explode";

    public sealed class Smtp(ISmtpBackend inner) : ISmtpBackend
    {
        public ISmtpBackendSession OpenSession(SmtpSessionInfo session) => new Session(inner.OpenSession(session));

        private sealed class Session(ISmtpBackendSession inner) : ISmtpBackendSession
        {
            public bool RequiresAuthentication => inner.RequiresAuthentication;

            public ValueTask<SmtpReply> AuthenticateAsync(SmtpCredentials credentials, CancellationToken cancellationToken) =>
                credentials.UserName.Contains(Trigger) ? throw new InvalidOperationException("injected AUTH failure") : inner.AuthenticateAsync(credentials, cancellationToken);

            public ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken) =>
                reversePath.Contains(Trigger) ? throw new InvalidOperationException("injected MAIL failure") : inner.MailAsync(reversePath, parameters, cancellationToken);

            public ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken) =>
                forwardPath.Contains(Trigger) ? throw new InvalidOperationException("injected RCPT failure") : inner.RcptAsync(forwardPath, cancellationToken);

            public ValueTask<SmtpReply> DataAsync(Stream content, CancellationToken cancellationToken) => inner.DataAsync(content, cancellationToken);

            public ValueTask ResetAsync() => inner.ResetAsync();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    public sealed class Mailbox(IMailboxBackend inner) : IMailboxBackend
    {
        public ValueTask<MailboxLogin> LoginAsync(MailboxSessionInfo session, string userName, string password, CancellationToken cancellationToken) =>
            userName.Contains(Trigger) ? throw new InvalidOperationException("injected login failure") : inner.LoginAsync(session, userName, password, cancellationToken);

        public void SessionEnded(MailboxSessionInfo session, SpliceResult result) => inner.SessionEnded(session, result);
    }
}
