using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Bench;

/// <summary>Accepts everything and reads each message into one buffer per connection: measures the engine alone.</summary>
internal sealed class NullBackend : ISmtpBackend
{
    private static readonly SmtpReply Accepted = new(250, "2.0.0", "OK");

    public ISmtpBackendSession OpenSession(SmtpSessionInfo session) => new Session();

    private sealed class Session : ISmtpBackendSession
    {
        private byte[]? _buffer; // on first DATA, so idle connections hold none

        public bool RequiresAuthentication => false;

        public ValueTask<SmtpReply> AuthenticateAsync(SmtpCredentials credentials, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpReplies.AuthSucceeded);

        public ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpReplies.SenderOk);

        public ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpReplies.RecipientOk);

        public async ValueTask<SmtpReply> DataAsync(Stream content, CancellationToken cancellationToken)
        {
            _buffer ??= new byte[16 * 1024];
            while (await content.ReadAsync(_buffer, cancellationToken) > 0)
            {
            }

            return Accepted;
        }

        public ValueTask ResetAsync() => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
