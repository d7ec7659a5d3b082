using System.Net;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Mailbox;

/// <summary>A scripted IMAP client: tagged commands and the lines up to their tagged reply.</summary>
internal static class RawImap
{
    /// <summary>Connects and reads the greeting.</summary>
    public static async Task<RawLineClient> OpenAsync(IPEndPoint server, IPAddress? from = null)
    {
        var client = await RawLineClient.ConnectAsync(server, from);
        Assert.StartsWith("* OK ", await client.ReadLineAsync());
        return client;
    }

    /// <summary>Sends "tag command" and returns every line up to and including the tagged reply.</summary>
    public static async Task<List<string>> CommandAsync(this RawLineClient client, string tag, string command)
    {
        await client.SendRawAsync($"{tag} {command}\r\n");
        return await client.ReadUntilAsync(tag + " ");
    }

    /// <summary>Sends one line and reads exactly <paramref name="count"/> lines back.</summary>
    public static async Task<List<string>> ReadAfterAsync(this RawLineClient client, string line, int count)
    {
        await client.SendRawAsync(line + "\r\n");
        var lines = new List<string>();
        for (var i = 0; i < count; i++) lines.Add(await client.ReadLineAsync() ?? throw new IOException("closed"));
        return lines;
    }
}
