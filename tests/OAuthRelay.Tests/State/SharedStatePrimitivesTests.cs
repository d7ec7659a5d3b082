using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OAuthRelay.Fakes;
using OAuthRelay.State;
using OAuthRelay.State.Redis;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.State;

/// <summary>The Redis side of what replicas share, seen from two replicas' compositions on one Redis (Garnet).</summary>
public sealed class SharedStatePrimitivesTests : IAsyncDisposable
{
    private readonly LoopbackRedis _redis = LoopbackRedis.Start();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<ServiceProvider> _replicas = [];

    private ServiceProvider Replica()
    {
        var replica = SharedStateReplica.Start(_redis, _time, replicas: 2);
        _replicas.Add(replica);
        return replica;
    }

    [Fact]
    public async Task Recipients_per_day_count_across_replicas_until_a_day_has_passed_and_a_given_back_reservation_counts_no_more()
    {
        var a = Replica().GetRequiredService<IRateWindows>();
        var b = Replica().GetRequiredService<IRateWindows>();
        var limits = new RateLimits(PerMinute: 100, WeightPerDay: 10);

        var six = (await a.TryReserveAsync("forms@contoso.test", 6, limits, default)).Reservation!;
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.NotNull((await b.TryReserveAsync("forms@contoso.test", 4, limits, default)).Reservation);
        var refused = await b.TryReserveAsync("forms@contoso.test", 1, limits, default);

        Assert.Null(refused.Reservation);
        Assert.True(refused.DailyLimit);
        Assert.Equal(six.At.ToUnixTimeMilliseconds() + (long)TimeSpan.FromDays(1).TotalMilliseconds, refused.NotBefore.ToUnixTimeMilliseconds());
        await a.ReleaseAsync(six, default);
        Assert.NotNull((await b.TryReserveAsync("forms@contoso.test", 6, limits, default)).Reservation);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.NotNull((await a.TryReserveAsync("forms@contoso.test", 10, limits, default)).Reservation);
    }

    [Fact]
    public async Task A_delivered_message_counts_from_its_delivery_on_every_replica_its_time_going_with_the_next_reservation_or_soon_alone()
    {
        var a = (RedisRateWindows)Replica().GetRequiredService<IRateWindows>();
        var b = Replica().GetRequiredService<IRateWindows>();
        var limits = new RateLimits(PerMinute: 2, WeightPerDay: 100);
        const string mailbox = "forms@contoso.test";

        var first = (await a.TryReserveAsync(mailbox, 1, limits, default)).Reservation!;
        _time.Advance(TimeSpan.FromSeconds(40)); // a slow upstream: it took the message 40 s after its place was reserved
        await a.DeliveredAsync(first, default);
        var second = (await a.TryReserveAsync(mailbox, 1, limits, default)).Reservation!;
        _time.Advance(TimeSpan.FromSeconds(30));

        // Counted from its reservation the first would have left the minute; counted from its delivery it has not.
        var refused = await b.TryReserveAsync(mailbox, 1, limits, default);
        Assert.Null(refused.Reservation);
        Assert.Equal((first.At + TimeSpan.FromSeconds(100)).ToUnixTimeMilliseconds(), refused.NotBefore.ToUnixTimeMilliseconds());

        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Settled += () => sent.TrySetResult();
        await a.DeliveredAsync(second, default); // no reservation follows: its time goes alone
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var minute = await (await _redis.InspectAsync()).SortedSetScoreAsync($"oauthrelay:rate:{{{mailbox}}}:minute", second.Id);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), (long)minute!.Value);
    }

    [Fact]
    public async Task Far_from_the_limit_replicas_admit_on_credit_without_a_round_trip_each_and_together_never_exceed_it()
    {
        var first = Replica();
        var second = Replica();
        var (a, b) = (first.GetRequiredService<IRateWindows>(), second.GetRequiredService<IRateWindows>());
        var trips = first.GetRequiredService<SharedStateStatus>();
        const string mailbox = "forms@contoso.test";

        // Near the limit (Exchange's 30 a minute) every reservation is asked of Redis.
        var before = trips.RoundTrips;
        for (var i = 0; i < 10; i++) Assert.NotNull((await a.TryReserveAsync("paced@contoso.test", 1, new RateLimits(30, 10_000), default)).Reservation);
        Assert.Equal(10, trips.RoundTrips - before);

        // Far from it, most are admitted on a credit (without credits this would be 100 round trips).
        before = trips.RoundTrips;
        for (var i = 0; i < 100; i++) Assert.NotNull((await a.TryReserveAsync("busy@contoso.test", 1, new RateLimits(10_000, 100_000), default)).Reservation);
        Assert.True(trips.RoundTrips - before < 50, $"{trips.RoundTrips - before} round trips for 100 reservations");

        // Both replicas at once until the minute is full: never more than the limit.
        var limits = new RateLimits(PerMinute: 200, WeightPerDay: 100_000);
        async Task<int> ReserveAsync(IRateWindows windows)
        {
            var granted = 0;
            for (var i = 0; i < 150; i++)
                if ((await windows.TryReserveAsync(mailbox, 1, limits, default)).Reservation is not null) granted++;
            return granted;
        }

        var granted = await Task.WhenAll(Task.Run(() => ReserveAsync(a)), Task.Run(() => ReserveAsync(b)));
        Assert.InRange(granted.Sum(), 200 - 2 * RedisRateWindows.CreditSize, 200);

        // Once each replica's next script has carried what it admitted, Redis counts exactly what was granted.
        // (more than a day's weight: refused, and never admitted on a credit)
        foreach (var windows in new[] { a, b }) Assert.Null((await windows.TryReserveAsync(mailbox, limits.WeightPerDay + 1, limits, default)).Reservation);
        var counted = await (await _redis.InspectAsync()).SortedSetLengthAsync($"oauthrelay:rate:{{{mailbox}}}:minute");
        Assert.Equal(granted.Sum(), counted);

        // Unused credits lapse: the rest of the minute can be had.
        _time.Advance(RedisRateWindows.CreditLife * 2 + TimeSpan.FromSeconds(11));
        while ((await b.TryReserveAsync(mailbox, 1, limits, default)).Reservation is not null) counted++;
        Assert.Equal(200, counted);
    }

    [Fact]
    public async Task A_replica_that_stopped_asking_for_a_connection_slot_holds_the_others_to_their_share_for_two_thirds_of_a_lease_time()
    {
        var a = Replica().GetRequiredService<IConnectionSlots>();
        var b = Replica().GetRequiredService<IConnectionSlots>();
        const string mailbox = "forms@contoso.test";
        var waitRecorded = new StateOptions().LeaseTime * 2 / 3;

        // Nobody waits: A may take all three. B asks for one, is recorded as waiting, and then asks no more.
        var held = new List<ConnectionSlot>();
        for (var i = 0; i < 3; i++) held.Add((await a.TryAcquireAsync(mailbox, 3, default)).Slot!);
        Assert.Null((await b.TryAcquireAsync(mailbox, 3, default)).Slot);
        await held[0].DisposeAsync();

        // A is beyond its share (one of three for two replicas) while B's wait stands, and not after it.
        _time.Advance(waitRecorded - TimeSpan.FromMilliseconds(1));
        Assert.Null((await a.TryAcquireAsync(mailbox, 3, default)).Slot);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull((await a.TryAcquireAsync(mailbox, 3, default)).Slot);
    }

    [Fact]
    public async Task A_write_based_on_an_older_version_is_refused_and_a_delete_keeps_the_version_rising()
    {
        var a = Replica().GetRequiredService<IVersionedValues>();
        var b = Replica().GetRequiredService<IVersionedValues>();
        var seen = await a.ReadAsync("tokens:office");

        Assert.Equal(WriteOutcome.Written, (await b.TryWriteAsync("tokens:office", seen!.Version, [1, 2, 3])).Outcome);
        Assert.Equal(new WriteResult(WriteOutcome.Conflict, 1), await a.TryWriteAsync("tokens:office", seen.Version, [9]));
        Assert.True(await b.DeleteAsync("tokens:office"));
        var deleted = await a.ReadAsync("tokens:office");

        Assert.Equal((2L, (byte[]?)null), (deleted!.Version, deleted.Value));
        Assert.Equal(WriteOutcome.Conflict, (await a.TryWriteAsync("tokens:office", 1, [9])).Outcome);
        Assert.Equal(new WriteResult(WriteOutcome.Written, 3), await a.TryWriteAsync("tokens:office", 2, [7]));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas) await replica.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
