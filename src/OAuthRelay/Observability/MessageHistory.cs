namespace OAuthRelay.Observability;

/// <summary>
/// The relay's recent messages in memory, for the console: the last <see cref="Capacity"/> message records, and per
/// account how many messages were accepted in each minute of the last hour. Bounded whatever the traffic; gone at
/// restart (the log keeps the full story).
/// </summary>
public sealed class MessageHistory(TimeProvider time)
{
    public const int Capacity = 500;

    public const int Minutes = 60;

    private readonly Lock _gate = new();
    private readonly Queue<MessageRecord> _recent = new(Capacity);
    private readonly Dictionary<string, (long Minute, int Count)[]> _perMinute = new(StringComparer.OrdinalIgnoreCase);

    public void Record(MessageRecord message)
    {
        var minute = MinuteOf(message.At);
        lock (_gate)
        {
            if (_recent.Count == Capacity) _recent.Dequeue();
            _recent.Enqueue(message);
            if (message.ReplyCode is < 200 or >= 300) return;
            if (!_perMinute.TryGetValue(message.Account, out var slots)) _perMinute[message.Account] = slots = new (long, int)[Minutes];
            ref var slot = ref slots[minute % Minutes];
            slot = slot.Minute == minute ? (minute, slot.Count + 1) : (minute, 1);
        }
    }

    /// <summary>The recorded messages, newest first.</summary>
    public IReadOnlyList<MessageRecord> Recent()
    {
        lock (_gate) return _recent.Reverse().ToList();
    }

    /// <summary>Messages accepted for the account in each of the last <see cref="Minutes"/> minutes, oldest first, the current minute last.</summary>
    public int[] AcceptedPerMinute(string account)
    {
        var now = MinuteOf(time.GetUtcNow());
        var counts = new int[Minutes];
        lock (_gate)
        {
            if (!_perMinute.TryGetValue(account, out var slots)) return counts;
            foreach (var (minute, count) in slots)
                if (now - minute is >= 0 and < Minutes) counts[Minutes - 1 - (now - minute)] = count;
        }

        return counts;
    }

    private static long MinuteOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;
}
