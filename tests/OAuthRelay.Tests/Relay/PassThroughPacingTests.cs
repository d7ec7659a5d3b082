using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Relay;

/// <summary>
/// Exchange's per-mailbox limits hold for pass-through mail too: a message waits up to PacingWait for its mailbox's
/// turn and goes when it comes, or the client is told when to come back. Fake clock, real sockets.
/// </summary>
public sealed class PassThroughPacingTests
{
    private static async Task<RelayRig> StartAsync(SignalingTimeProvider time, string limit, string value)
    {
        var rig = await RelayRig.StartAsync(s =>
        {
            s[limit] = value;
            s["Upstream:PacingWait"] = "00:00:30";
        }, time: time);
        rig.Office.Clock = time;
        return rig;
    }

    [Fact]
    public async Task A_message_over_the_minute_rate_waits_its_turn_within_pacing_wait_and_is_told_to_retry_beyond_it()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartAsync(time, "Upstream:MessagesPerMinute", "1");
        await using var client = await rig.Relay.OpenAuthenticatedAsync();
        var started = time.GetUtcNow();

        Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: first\r\n\r\nbody")).Code);

        // The mailbox's next turn is a minute away, past the 30 s a client is kept waiting.
        var refused = await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: second\r\n\r\nbody");
        Assert.Equal((451, "4.7.0"), refused.Status);
        Assert.Contains("only 1 messages a minute; try again in 60 s", refused.Text);

        // 40 s later the turn is 20 s away: the client waits for it, and the message goes when it comes.
        time.Advance(TimeSpan.FromSeconds(40));
        var third = client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: third\r\n\r\nbody");
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(20));
        Assert.Single(rig.Office.Messages);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(250, (await third).Code);

        Assert.Equal(2, rig.Office.Messages.Count);
        Assert.True(rig.Office.Messages.Last().At >= started + TimeSpan.FromMinutes(1), "the second message of the minute went only when the minute was over");
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains("refused for now") && l.Contains("451 4.7.0"));
    }

    [Fact]
    public async Task A_message_beyond_the_days_recipients_is_452_4_5_3_and_nothing_is_sent()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartAsync(time, "Upstream:RecipientsPerDay", "2");
        await using var client = await rig.Relay.OpenAuthenticatedAsync();

        Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, ["a@example.test", "b@example.test"], "Subject: two\r\n\r\nbody")).Code);
        Assert.Equal((452, "4.5.3"), (await client.SendMessageAsync(rig.Mailbox, "c@example.test", "Subject: third\r\n\r\nbody")).Status);

        Assert.Single(rig.Office.Messages);
    }
}
