namespace OAuthRelay.Queue;

/// <summary>What became of an operator's change to a queued message.</summary>
internal enum QueueChange
{
    /// <summary>Made and recorded on disk.</summary>
    Done,

    /// <summary>No such message in the queue (it may be a dead letter, or never have been).</summary>
    NotQueued,

    /// <summary>The message is being delivered, or changed by another request, right now.</summary>
    Busy,

    /// <summary>A retry of a held message: it is not tried until released.</summary>
    Held,
}
