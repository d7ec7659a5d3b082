namespace OAuthRelay.Relay;

/// <summary>Who sent a message, for whom, on behalf of which client, under which relay message id.</summary>
public sealed record Envelope(string MessageId, string ClientName, string ReversePath, IReadOnlyList<string> Recipients);
