using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OAuthRelay.Delivery;
using OAuthRelay.Fakes;
using OAuthRelay.State;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Upstream;

namespace OAuthRelay.Tests.Delivery;

/// <summary>
/// The per-mailbox minute window counts a message from when Exchange took it, not from when it was reserved; in this
/// process and on Redis alike.
/// </summary>
public sealed class MailboxRateLimiterTests : IAsyncDisposable
{
    private const string Mailbox = "aem@contoso.test";

    private readonly FakeTimeProvider _time = new();
    private LoopbackRedis? _redis;
    private ServiceProvider? _replica;

    public static TheoryData<bool> Stores => [false, true];

    private MailboxRateLimiter Limiter(bool onRedis)
    {
        IRateWindows windows = new LocalRateWindows(_time);
        if (onRedis)
        {
            _redis = LoopbackRedis.Start();
            _replica = SharedStateReplica.Start(_redis, _time);
            windows = _replica.GetRequiredService<IRateWindows>();
        }

        return new MailboxRateLimiter(windows, Options.Create(new UpstreamOptions()));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_delivered_message_holds_its_place_for_a_minute_from_its_arrival(bool onRedis)
    {
        var limiter = Limiter(onRedis);
        var reserved = _time.GetUtcNow();
        var first = (await limiter.TryReserveAsync(Mailbox, 1, 1, default)).Reservation;
        Assert.NotNull(first);

        _time.Advance(TimeSpan.FromSeconds(5)); // a slow send: Exchange takes it 5 s after its place was reserved
        await limiter.DeliveredAsync(first);

        _time.Advance(TimeSpan.FromSeconds(56)); // a minute after the reservation, 56 s after the arrival
        var refused = await limiter.TryReserveAsync(Mailbox, 1, 1, default);
        Assert.Null(refused.Reservation);
        Assert.Equal(((reserved + TimeSpan.FromSeconds(65)).ToUnixTimeMilliseconds(), false), (refused.NotBefore.ToUnixTimeMilliseconds(), refused.DailyLimit));

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.NotNull((await limiter.TryReserveAsync(Mailbox, 1, 1, default)).Reservation);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_released_reservation_frees_its_place_at_once(bool onRedis)
    {
        var limiter = Limiter(onRedis);
        await limiter.ReleaseAsync((await limiter.TryReserveAsync(Mailbox, 1, 1, default)).Reservation!);

        Assert.NotNull((await limiter.TryReserveAsync(Mailbox, 1, 1, default)).Reservation);
    }

    public async ValueTask DisposeAsync()
    {
        if (_replica is not null) await _replica.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }
}
