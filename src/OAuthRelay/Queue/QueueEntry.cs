using System.Text.Json.Serialization;
using OAuthRelay.Spool;

namespace OAuthRelay.Queue;

/// <summary>
/// A queued message and where its delivery stands: the recipients delivered and refused for good, attempts made, when
/// the next one is due, the upstream's last reply, whether an operator holds it. Stored as JSON beside the message
/// file once delivery has begun, and with the reason in the dead-letter folder.
/// </summary>
public sealed class QueueEntry
{
    public required Envelope Envelope { get; init; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttempt { get; set; }

    public string? LastReply { get; set; }

    public bool Held { get; set; }

    /// <summary>Recipients the upstream accepted the message for.</summary>
    public List<string> Delivered { get; set; } = [];

    /// <summary>Recipients refused for good, with the reply that refused them.</summary>
    public Dictionary<string, string> Refused { get; set; } = [];

    /// <summary>The relay's own delivery status notification: when it fails, it does not bounce in turn.</summary>
    public bool IsBounce { get; init; }

    /// <summary>Why the message is in the dead-letter folder; null while it is queued.</summary>
    public string? DeadLetterReason { get; set; }

    /// <summary>Where the client's bytes start in the message file (after its envelope line).</summary>
    [JsonIgnore]
    public long ContentOffset { get; init; }

    public string Id => Envelope.Id;

    /// <summary>Recipients still to be delivered.</summary>
    public IReadOnlyList<string> Pending => Envelope.Recipients.Where(r => !Delivered.Contains(r) && !Refused.ContainsKey(r)).ToList();
}
