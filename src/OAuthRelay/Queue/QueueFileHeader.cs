using OAuthRelay.Spool;

namespace OAuthRelay.Queue;

/// <summary>The first line of a queue file, as JSON: the message's envelope, and whether it is the relay's own bounce.</summary>
public sealed record QueueFileHeader(Envelope Envelope, bool IsBounce);
