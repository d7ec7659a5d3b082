using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OAuthRelay.Spool;

namespace OAuthRelay.Tests.Spool;

/// <summary>Message content on disk is the relay user's alone.</summary>
public sealed class MessageSpoolTests : IDisposable
{
    private readonly string _folder = Path.Combine(Directory.CreateTempSubdirectory("oauthrelay-spool-").FullName, "spool");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Spool_files_are_0600_in_a_0700_folder_while_a_message_is_in_transit()
    {
        var spool = new MessageSpool(Options.Create(new SpoolOptions { Directory = _folder }), NullLogger<MessageSpool>.Instance);

        var envelope = new Envelope("20261202T000000000-abc", "app", "app@contoso.example", "app@contoso.example", ["to@contoso.example"], false, 0, DateTimeOffset.UnixEpoch);
        var message = await spool.WriteAsync(envelope, new MemoryStream("Subject: private\r\n\r\nbody\r\n"u8.ToArray()), default);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(message.ContentPath));
        Assert.Equal(26, message.Envelope.Size);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
    }
}
