using System.Text;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;

namespace OAuthRelay.Tests.Relay;

/// <summary>
/// A client with OAuth off whose own password the upstream refuses (changed there, not in the relay) gets the answer it
/// would get going direct, the same on every protocol — not a temporary error it would retry forever.
/// </summary>
public sealed class ClientPasswordRefusedUpstreamTests
{
    private static async Task<RelayRig> StartWithChangedUpstreamPasswordAsync()
    {
        var rig = await RelayRig.StartAsync();
        rig.Office.BasicUsers[RelayRig.BasicUser] = "changed upstream";
        rig.Imap.BasicUsers[RelayRig.BasicUser] = "changed upstream";
        rig.Pop3.BasicUsers[RelayRig.BasicUser] = "changed upstream";
        return rig;
    }

    [Fact]
    public async Task Smtp_answers_535_5_7_8()
    {
        await using var rig = await StartWithChangedUpstreamPasswordAsync();
        await using var client = await rig.Relay.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{RelayRig.BasicUser}\0{RelayRig.BasicPassword}"));
        Assert.Equal(235, (await client.CommandAsync($"AUTH PLAIN {plain}")).Code);

        var reply = await client.SendMessageOrFirstRefusalAsync(RelayRig.BasicUser, "someone@example.test", "Subject: x\r\n\r\nbody");
        Assert.Equal((535, "5.7.8"), reply.Status);
        Assert.Empty(rig.Office.Messages);
    }

    [Fact]
    public async Task Imap_answers_NO_AUTHENTICATIONFAILED()
    {
        await using var rig = await StartWithChangedUpstreamPasswordAsync();
        await using var client = await RawImap.OpenAsync(rig.Relay.EndPoint("imap"));

        Assert.Equal(["a1 NO [AUTHENTICATIONFAILED] Authentication failed"], await client.CommandAsync("a1", $"LOGIN {RelayRig.BasicUser} {RelayRig.BasicPassword}"));
    }

    [Fact]
    public async Task Pop3_answers_ERR_AUTH()
    {
        await using var rig = await StartWithChangedUpstreamPasswordAsync();
        await using var client = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("pop3"));
        await client.ReadLineAsync();

        Assert.StartsWith("+OK", await client.ExchangeAsync($"USER {RelayRig.BasicUser}"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await client.ExchangeAsync($"PASS {RelayRig.BasicPassword}"));
    }

    [Fact]
    public async Task An_upstream_without_plain_or_login_is_454_with_the_reason_logged_not_a_local_error()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.AuthMechanisms = "XOAUTH2";
        await using var client = await rig.Relay.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal(235, (await client.CommandAsync($"AUTH PLAIN {Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{RelayRig.BasicUser}\0{RelayRig.BasicPassword}"))}")).Code);

        var reply = await client.SendMessageOrFirstRefusalAsync(RelayRig.BasicUser, "someone@example.test", "Subject: x\r\n\r\nbody");

        Assert.Equal((454, "4.7.0"), reply.Status);
        Assert.Contains(rig.Relay.Logs.Lines, l => l.StartsWith("Warning") && l.Contains("offers neither PLAIN nor LOGIN"));
    }
}
