using OAuthRelay.Clients;

namespace OAuthRelay.Tests.Clients;

/// <summary>Hashing slots: one check at a time per address, a few overall, and a quick "try again" beyond that.</summary>
public sealed class PasswordCheckSlotsTests
{
    [Fact]
    public async Task Beyond_the_global_limit_a_check_is_turned_away_after_a_short_wait_and_one_address_queues_behind_itself()
    {
        var slots = new PasswordCheckSlots(maxConcurrent: 1);
        var first = await slots.EnterAsync("192.0.2.1");
        Assert.NotNull(first);

        var sameAddress = slots.EnterAsync("192.0.2.1");
        var started = DateTime.UtcNow;
        Assert.Null(await slots.EnterAsync("198.51.100.7").WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.InRange(DateTime.UtcNow - started, PasswordCheckSlots.GlobalWait * 0.9, PasswordCheckSlots.AddressWait);
        Assert.False(sameAddress.IsCompleted); // still queued behind the first check from its address

        first!.Dispose();
        using var second = await sameAddress.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotNull(second);
    }
}
