using OAuthRelay.Relay;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Delivery;

/// <summary>Takes an accepted message onward; the reply is what the client is told at the end of DATA.</summary>
public interface IMessageDelivery
{
    /// <summary>A one-line description for the start-up log: where messages go.</summary>
    string Describe();

    ValueTask<SmtpReply> DeliverAsync(Envelope envelope, Stream content, CancellationToken cancellationToken);
}
