namespace OAuthRelay.State.Redis;

/// <summary>
/// A notice on the fleet's channel, as a script or a replica publishes it: "kind\nname\ndata". Notices only say
/// where to look again; what counts is always read from Redis, so a lost notice delays, never corrupts.
/// </summary>
internal sealed record SharedEvent(string Kind, string Name, string Data)
{
    /// <summary>A value was written or deleted; Data is its new version.</summary>
    public const string ValueChanged = "value";

    /// <summary>A connection slot came free; Data is the releasing replica.</summary>
    public const string SlotFreed = "freed";

    /// <summary>A replica found no free connection slot; Data is that replica and, after a space, until when it waits (ms).</summary>
    public const string SlotWanted = "wanted";

    /// <summary>A lease was released.</summary>
    public const string LeaseReleased = "released";

    public string Format() => $"{Kind}\n{Name}\n{Data}";

    public static SharedEvent? Parse(string? message) =>
        message?.Split('\n', 3) is [var kind, var name, var data] ? new SharedEvent(kind, name, data) : null;
}
