using OAuthRelay.Clients;
using OAuthRelay.Delivery;
using OAuthRelay.Queue;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;

namespace OAuthRelay.Relay;

/// <summary>
/// Hands a message on the way its client's delivery mode says: queued (250 once it is safely on disk) or passed
/// through (the upstream's verdict). Either way the content is spooled first and the upstream is reached only after.
/// </summary>
internal sealed partial class MessageHandoff(PassThroughDelivery passThrough, QueueStore queue, QueueManager manager, DeliveryTransports transports, ILogger<MessageHandoff> logger)
{
    public static readonly SmtpReply QueueFull = new(452, "4.3.1", "Insufficient system storage: the relay's queue is full, try again later");

    /// <summary>Whether a message of the declared size could be queued now (checked at MAIL, again at the end of DATA).</summary>
    public bool CanQueue(long size) => queue.HasRoom(size);

    public async Task<SmtpReply> HandOffAsync(Envelope envelope, RelayClient client, SmtpCredentials? credentials, Stream content, CancellationToken cancellationToken)
    {
        if (client.DeliveryMode == DeliveryMode.PassThrough)
            return await passThrough.DeliverAsync(envelope, transports.IdentityFor(client, credentials), content, cancellationToken);

        try
        {
            manager.Enqueue(await queue.AcceptAsync(envelope, content, isBounce: false, cancellationToken));
            return new SmtpReply(250, "2.0.0", $"OK queued as {envelope.Id}");
        }
        catch (QueueFullException e)
        {
            LogQueueFull(envelope.Id, client.Name, e.Message);
            return QueueFull;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} of client {Client} not queued: {Reason} (452 4.3.1)")]
    private partial void LogQueueFull(string messageId, string client, string reason);
}
