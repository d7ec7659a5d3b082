namespace OAuthRelay.Mailbox.Splice;

/// <summary>What a splice moved and how it ended.</summary>
public sealed record SpliceResult(long BytesFromClient, long BytesToClient, TimeSpan Duration, string Ending);
