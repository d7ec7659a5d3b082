namespace OAuthRelay.Observability;

/// <summary>One message whose content the relay took, as its log line says it: who, how big, the reply, how long.</summary>
public sealed record MessageRecord(
    DateTimeOffset At,
    string MessageId,
    string Client,
    string Account,
    string Mode,
    long Size,
    int Recipients,
    int ReplyCode,
    string Reply,
    TimeSpan Duration)
{
    /// <summary>"2xx", "4xx" or "5xx".</summary>
    public string ReplyClass => $"{ReplyCode / 100}xx";
}
