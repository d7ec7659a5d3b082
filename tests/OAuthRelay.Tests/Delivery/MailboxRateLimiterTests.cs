using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OAuthRelay.Delivery;
using OAuthRelay.Upstream;

namespace OAuthRelay.Tests.Delivery;

/// <summary>The per-mailbox minute window counts a message from when Exchange took it, not from when it was reserved.</summary>
public sealed class MailboxRateLimiterTests
{
    private const string Mailbox = "aem@contoso.test";

    [Fact]
    public void A_delivered_message_holds_its_place_for_a_minute_from_its_arrival()
    {
        var time = new FakeTimeProvider();
        var limiter = new MailboxRateLimiter(Options.Create(new UpstreamOptions()), time);
        var reserved = time.GetUtcNow();
        var first = limiter.TryReserve(Mailbox, 1, 1, out _, out _);
        Assert.NotNull(first);

        time.Advance(TimeSpan.FromSeconds(5)); // a slow send: Exchange takes it 5 s after its place was reserved
        limiter.Delivered(first);

        time.Advance(TimeSpan.FromSeconds(56)); // a minute after the reservation, 56 s after the arrival
        Assert.Null(limiter.TryReserve(Mailbox, 1, 1, out var notBefore, out var recipientLimit));
        Assert.Equal((reserved + TimeSpan.FromSeconds(65), false), (notBefore, recipientLimit));

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.NotNull(limiter.TryReserve(Mailbox, 1, 1, out _, out _));
    }

    [Fact]
    public void A_released_reservation_frees_its_place_at_once()
    {
        var time = new FakeTimeProvider();
        var limiter = new MailboxRateLimiter(Options.Create(new UpstreamOptions()), time);
        limiter.Release(limiter.TryReserve(Mailbox, 1, 1, out _, out _)!);

        Assert.NotNull(limiter.TryReserve(Mailbox, 1, 1, out _, out _));
    }
}
