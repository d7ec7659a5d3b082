using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Smtp.Backend;

/// <summary>
/// One connection's view of the backend. Each call answers with the reply the client gets;
/// the engine has already checked syntax, sequence and limits before calling.
/// </summary>
public interface ISmtpBackendSession : IAsyncDisposable
{
    /// <summary>Whether MAIL needs a successful AUTH first (530 5.7.0 otherwise); decided per peer, e.g. trusted networks need none.</summary>
    bool RequiresAuthentication { get; }

    /// <summary>Checks credentials: 235 on success, 535 5.7.8 for wrong ones, 454 4.7.0 when it cannot tell now.</summary>
    ValueTask<SmtpReply> AuthenticateAsync(SmtpCredentials credentials, CancellationToken cancellationToken);

    ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken);

    ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken);

    /// <summary>
    /// Receives the message content (dot-unstuffed, exactly the bytes the client sent) as a stream that ends at the
    /// end-of-data mark. The stream throws <see cref="MessageTooLargeException"/> once the size limit is passed;
    /// the engine then answers 552 itself, whatever this returns.
    /// </summary>
    ValueTask<SmtpReply> DataAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Forgets the current transaction (RSET, EHLO, STARTTLS, end of DATA); authentication stays.</summary>
    ValueTask ResetAsync();
}
