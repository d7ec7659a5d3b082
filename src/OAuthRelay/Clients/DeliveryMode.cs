namespace OAuthRelay.Clients;

/// <summary>How a client's messages are handed on.</summary>
public enum DeliveryMode
{
    /// <summary>Sent at once; the client's reply to the end of DATA is the upstream's verdict.</summary>
    PassThrough,

    /// <summary>250 once the message is safely on disk; then delivered at the upstream's pace, with retries and bounces.</summary>
    Queue,
}
