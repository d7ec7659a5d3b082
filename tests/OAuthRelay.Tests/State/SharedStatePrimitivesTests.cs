using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OAuthRelay.Fakes;
using OAuthRelay.State;
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
