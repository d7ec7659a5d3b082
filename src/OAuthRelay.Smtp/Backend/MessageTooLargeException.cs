namespace OAuthRelay.Smtp.Backend;

/// <summary>Thrown by the message content stream once the message passes the size limit.</summary>
public sealed class MessageTooLargeException(long limit)
    : IOException($"The message exceeds the maximum size of {limit} bytes.")
{
    public long Limit { get; } = limit;
}
