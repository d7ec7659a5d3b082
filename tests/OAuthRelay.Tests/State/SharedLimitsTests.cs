using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.State;

/// <summary>
/// Exchange's per-mailbox limits hold for the fleet, not per relay: at most 3 connections and 30 messages in any
/// rolling minute across all replicas, and the connection slots of a replica that dies come back after the lease time.
/// Time is one fake clock shared by the relays and the fake Office 365.
/// </summary>
public sealed class SharedLimitsTests
{
    [Fact]
    public async Task Three_relays_with_twenty_clients_each_stay_within_3_connections_and_30_messages_a_minute_and_deliver_everything()
    {
        var time = new SignalingTimeProvider();
        await using var fleet = await RelayFleet.StartQueuedAsync(3, time);

        await Task.WhenAll(Enumerable.Range(0, 60).Select(async i => Assert.Equal(250, (await fleet.SendAsync(i % 3, $"client {i}")).Code)));
        await fleet.DeliveredMinuteByMinuteAsync(time, 30, 60);

        fleet.AssertExchangeLimitsKept(60);
    }

    [Fact]
    public async Task The_connection_slots_of_a_relay_killed_while_holding_them_come_back_to_the_others_within_the_lease_time()
    {
        var lease = TimeSpan.FromSeconds(40);
        var time = new SignalingTimeProvider();
        await using var fleet = await RelayFleet.StartAsync(2, s =>
        {
            s["Accounts:office:Flow"] = "App";
            s["State:LeaseTime"] = lease.ToString();
        }, time);
        fleet.Office.Clock = time;

        // Relay A opens all three connections: the fake holds each message until the third has arrived.
        var allThree = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fleet.Office.BeforeAcknowledging = _ =>
        {
            if (fleet.Office.Messages.Count == 3) allThree.TrySetResult();
            return allThree.Task;
        };
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => fleet.SendAsync(0, $"A {i}")));
        Assert.Equal(3, fleet.Office.MaxConcurrentConnections(fleet.Mailbox));

        await fleet.KillAsync(0);
        var killed = time.GetUtcNow();
        time.ForgetArmedTimers();
        var throughB = fleet.SendAsync(1, "B after A died");

        // B asks again every third of the lease time, and is refused until A's leases have ended.
        for (var retry = 0; retry < 3; retry++) await time.FireTimerAsync(lease / 3 - TimeSpan.FromSeconds(1), lease / 3 + TimeSpan.FromSeconds(1));
        Assert.Equal(250, (await throughB).Code);
        Assert.Equal(4, fleet.Office.Messages.Count);
        Assert.InRange(time.GetUtcNow() - killed, lease - TimeSpan.FromSeconds(1), lease + TimeSpan.FromMilliseconds(10));
        Assert.InRange(fleet.Office.MaxConcurrentConnections(fleet.Mailbox), 1, 3);
    }
}
