using Microsoft.Extensions.Time.Testing;
using OAuthRelay.Observability;

namespace OAuthRelay.Tests.Observability;

/// <summary>The console's memory of recent messages stays bounded and counts each account's accepted messages per minute.</summary>
public sealed class MessageHistoryTests
{
    private static MessageRecord Message(DateTimeOffset at, string account, int reply, int number = 0) =>
        new(at, $"id-{number}", "app", account, "PassThrough", 100, 1, reply, $"{reply} reply", TimeSpan.FromMilliseconds(5));

    [Fact]
    public void Accepted_messages_are_counted_in_their_minute_and_fall_out_after_an_hour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 30, TimeSpan.Zero));
        var history = new MessageHistory(time);

        history.Record(Message(time.GetUtcNow(), "office", 250));
        history.Record(Message(time.GetUtcNow(), "office", 250));
        history.Record(Message(time.GetUtcNow(), "office", 550)); // refused: not sent, not counted
        time.Advance(TimeSpan.FromMinutes(2));
        history.Record(Message(time.GetUtcNow(), "Office", 250)); // account names are not case-sensitive

        var counts = history.AcceptedPerMinute("office");
        Assert.Equal(MessageHistory.Minutes, counts.Length);
        Assert.Equal(1, counts[^1]);
        Assert.Equal(2, counts[^3]);
        Assert.Equal(3, counts.Sum());
        Assert.All(history.AcceptedPerMinute("other"), c => Assert.Equal(0, c));

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(1, history.AcceptedPerMinute("office").Sum());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, history.AcceptedPerMinute("office").Sum());
    }

    [Fact]
    public void Only_the_latest_messages_are_kept_newest_first()
    {
        var history = new MessageHistory(TimeProvider.System);
        for (var i = 0; i < MessageHistory.Capacity + 10; i++) history.Record(Message(DateTimeOffset.UtcNow, "office", 250, i));

        var recent = history.Recent();
        Assert.Equal(MessageHistory.Capacity, recent.Count);
        Assert.Equal($"id-{MessageHistory.Capacity + 9}", recent[0].MessageId);
        Assert.Equal("id-10", recent[^1].MessageId);
    }
}
