namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// Microsoft Graph answered a request with an error: its status, Graph's error code and message, Retry-After if sent,
/// and whether it was an upload URL's answer (which says nothing of the message or of the relay's access).
/// </summary>
internal sealed class GraphRequestException(int status, string code, string graphMessage, TimeSpan? retryAfter, bool upload = false)
    : Exception($"{status} {code}: {graphMessage}")
{
    public bool Upload { get; } = upload;

    public int Status { get; } = status;

    public string Code { get; } = code;

    public string GraphMessage { get; } = graphMessage;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
