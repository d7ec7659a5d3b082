namespace OAuthRelay.Queue;

/// <summary>The queue cannot take a message of this size now (its size limit or the disk's free-space floor): 452 4.3.1.</summary>
public sealed class QueueFullException(string reason) : Exception(reason);
