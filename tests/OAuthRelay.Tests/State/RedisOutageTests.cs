using OAuthRelay.State;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.State;

/// <summary>
/// Redis going away does not stop mail: each relay goes on with its local state and its share of the limits (so the
/// fleet stays within Exchange's), says so in /status while staying ready, and shares again once Redis is back.
/// </summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task With_Redis_stopped_two_relays_deliver_within_half_the_limits_each_report_it_and_share_again_when_it_returns()
    {
        var time = new SignalingTimeProvider();
        await using var fleet = await RelayFleet.StartQueuedAsync(2, time);
        Assert.Equal(250, (await fleet.SendAsync(0, "before")).Code);
        await fleet.Office.WaitForMessagesAsync(1);

        fleet.Redis.Stop();
        await fleet.WaitForSharedStateAsync(0, SharedStateMode.Degraded);
        await fleet.WaitForSharedStateAsync(1, SharedStateMode.Degraded);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i => Assert.Equal(250, (await fleet.SendAsync(i % 2, $"during {i}")).Code)));

        // Each relay takes 15 a minute: the one that sent before Redis went has 14 left in the first minute.
        await fleet.DeliveredMinuteByMinuteAsync(time, 30, 41);

        var status = await fleet.StatusAsync(1);
        Assert.Equal("Degraded", status.GetProperty("sharedState").GetProperty("mode").GetString());
        Assert.Equal(200, await fleet.ReadyAsync(1));
        Assert.Equal(1, fleet[0].Logs.Count("Shared state: Redis is unreachable"));
        var metrics = await fleet.MetricsAsync(1);
        Assert.Equal(1, metrics["oauthrelay_shared_state_degraded"]);
        var roundTrips = status.GetProperty("sharedState").GetProperty("roundTrips").GetInt64();

        fleet.Redis.Restart();
        await fleet.WaitForSharedStateAsync(0, SharedStateMode.Connected);
        await fleet.WaitForSharedStateAsync(1, SharedStateMode.Connected);
        Assert.Equal("Connected", (await fleet.StatusAsync(0)).GetProperty("sharedState").GetProperty("mode").GetString());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(250, (await fleet.SendAsync(1, "after")).Code);
        await fleet.Office.WaitForMessagesAsync(42);
        metrics = await fleet.MetricsAsync(1);
        Assert.Equal(0, metrics["oauthrelay_shared_state_degraded"]);
        Assert.True(metrics["oauthrelay_shared_state_round_trips_total"] > roundTrips, "the message sent after the outage went through Redis again");

        fleet.AssertExchangeLimitsKept(42);
    }
}
