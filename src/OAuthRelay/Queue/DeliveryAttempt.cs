namespace OAuthRelay.Queue;

/// <summary>One delivery attempt of a queued message: its result (see the constants) and the reply that decided it.</summary>
public sealed record DeliveryAttempt(string MessageId, string Account, string Result, string Reply)
{
    /// <summary>Every recipient has it now.</summary>
    public const string Delivered = "delivered";

    /// <summary>Some recipients are still to be tried; the message stays queued.</summary>
    public const string Deferred = "deferred";

    /// <summary>Done, with recipients refused for good: a notification went to the sender, the message to dead letters.</summary>
    public const string Bounced = "bounced";

    /// <summary>Still undelivered after MaxQueueLifetime: bounced for the recipients left.</summary>
    public const string Expired = "expired";
}
