using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Delivery;

/// <summary>One message on its way: each step answers with the reply the client gets at that step.</summary>
public interface IDeliveryTransaction : IAsyncDisposable
{
    ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken);

    ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken);

    /// <summary>Delivers the content; a positive reply means the message is safely on its way, never less.</summary>
    ValueTask<SmtpReply> DataAsync(string messageId, Stream content, CancellationToken cancellationToken);
}
