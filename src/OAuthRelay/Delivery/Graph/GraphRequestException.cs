namespace OAuthRelay.Delivery.Graph;

/// <summary>Microsoft Graph answered a request with an error: its status, Graph's error code and message, and Retry-After if sent.</summary>
internal sealed class GraphRequestException(int status, string code, string graphMessage, TimeSpan? retryAfter)
    : Exception($"{status} {code}: {graphMessage}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string GraphMessage { get; } = graphMessage;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
