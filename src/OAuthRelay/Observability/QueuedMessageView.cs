using System.Text.Json.Serialization;
using OAuthRelay.Queue;

namespace OAuthRelay.Observability;

/// <summary>
/// A queued or dead-lettered message as the queue endpoints show it: its envelope, age and state, and where its
/// delivery stands. The recipients delivered, refused and pending and the dead-letter reason come only with
/// <see cref="Detail"/>.
/// </summary>
internal sealed record QueuedMessageView(
    string Id,
    string Client,
    string? Account,
    string Sender,
    IReadOnlyList<string> Recipients,
    long Size,
    DateTimeOffset Received,
    double AgeSeconds,
    int Attempts,
    DateTimeOffset NextAttempt,
    string? LastReply,
    bool Held,
    string State)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Delivered { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Refused { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Pending { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeadLetterReason { get; init; }

    /// <summary>A row of the queue's list.</summary>
    public static QueuedMessageView Row(QueueEntry entry, DateTimeOffset now) => new(
        entry.Id,
        entry.Envelope.Client,
        entry.Envelope.Account,
        entry.Envelope.Sender,
        entry.Envelope.Recipients,
        entry.Envelope.Size,
        entry.Envelope.Received,
        Math.Round((now - entry.Envelope.Received).TotalSeconds, 3),
        entry.Attempts,
        entry.NextAttempt,
        entry.LastReply,
        entry.Held,
        QueueStates.Of(entry, now));

    /// <summary>Everything about one message.</summary>
    public static QueuedMessageView Detail(QueueEntry entry, DateTimeOffset now) => Row(entry, now) with
    {
        Delivered = entry.Delivered,
        Refused = entry.Refused,
        Pending = entry.Pending,
        DeadLetterReason = entry.DeadLetterReason,
    };
}
