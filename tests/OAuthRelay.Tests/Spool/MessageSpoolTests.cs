using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OAuthRelay.Spool;

namespace OAuthRelay.Tests.Spool;

/// <summary>Message content on disk is the relay user's alone; a small message never touches the disk.</summary>
public sealed class MessageSpoolTests : IDisposable
{
    private static readonly Envelope Envelope = new("20261202T000000000-abc", "app", "app@contoso.example", "app@contoso.example", ["to@contoso.example"], false, 0, DateTimeOffset.UnixEpoch);

    private readonly string _folder = Path.Combine(Directory.CreateTempSubdirectory("oauthrelay-spool-").FullName, "spool");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

    private MessageSpool NewSpool() => new(Options.Create(new SpoolOptions { Directory = _folder }), NullLogger<MessageSpool>.Instance);

    /// <summary>Headers and a body of <paramref name="size"/> bytes in all, lines of 100 bytes.</summary>
    private static byte[] Content(int size)
    {
        var lines = string.Concat(Enumerable.Repeat(new string('x', 98) + "\r\n", size / 100));
        var content = System.Text.Encoding.ASCII.GetBytes("Subject: private\r\n\r\n" + lines);
        return content;
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Spool_files_are_0600_in_a_0700_folder_while_a_message_is_in_transit()
    {
        var spool = NewSpool();
        var content = Content(MessageSpool.InMemoryBelow + 1000);

        var message = await spool.WriteAsync(Envelope, new MemoryStream(content), default);

        Assert.Null(message.Bytes);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(message.ContentPath));
        Assert.Equal(content.Length, message.Envelope.Size);
        Assert.Equal(content, File.ReadAllBytes(message.ContentPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
        spool.Discard(message);
        Assert.False(File.Exists(message.ContentPath));
        Assert.Equal(0, spool.InMemory);
    }

    [Fact]
    public async Task A_small_message_is_held_in_memory_and_read_back_exactly()
    {
        var spool = NewSpool();
        var content = Content(4 * 1024);

        var message = await spool.WriteAsync(Envelope, new MemoryStream(content), default);

        Assert.NotNull(message.Bytes);
        Assert.False(File.Exists(message.ContentPath));
        Assert.Equal(_folder, Path.GetDirectoryName(message.ContentPath)); // files of the message go beside it
        Assert.Empty(Directory.GetFiles(_folder));
        Assert.Equal(content.Length, message.ContentLength);
        Assert.Equal(content.Length, message.Envelope.Size);
        Assert.Equal(content.Length, spool.InMemory);
        await using (var read = message.OpenContent())
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());
        }

        spool.Discard(message);
        Assert.Equal(0, spool.InMemory);
    }

    [Fact]
    public async Task Beyond_the_memory_budget_messages_go_to_files()
    {
        var spool = NewSpool();
        var content = Content(MessageSpool.InMemoryBelow - 1000);
        var held = new List<SpooledMessage>();
        while (spool.InMemory + MessageSpool.InMemoryBelow <= MessageSpool.InMemoryBudget) held.Add(await spool.WriteAsync(Envelope with { Id = $"m{held.Count}" }, new MemoryStream(content), default));

        var overBudget = await spool.WriteAsync(Envelope with { Id = "over" }, new MemoryStream(content), default);

        Assert.All(held, m => Assert.NotNull(m.Bytes));
        Assert.Null(overBudget.Bytes);
        Assert.Equal(content, File.ReadAllBytes(overBudget.ContentPath));
        foreach (var message in held.Append(overBudget)) spool.Discard(message);
        Assert.Equal(0, spool.InMemory);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_failed_read_gives_its_memory_back()
    {
        var spool = NewSpool();

        await Assert.ThrowsAsync<IOException>(() => spool.WriteAsync(Envelope, new FailingStream(), default));

        Assert.Equal(0, spool.InMemory);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(SpooledMessage.ReadWholeBelow - 1)]
    [InlineData(SpooledMessage.ReadWholeBelow)]
    [InlineData(3 * SpooledMessage.ReadWholeBelow + 7)]
    public async Task A_file_is_read_from_its_content_offset_whether_read_whole_or_streamed(int size)
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "m.msg");
        var content = new byte[size];
        new Random(size).NextBytes(content);
        var header = "{\"envelope\":{}}\n"u8.ToArray();
        await File.WriteAllBytesAsync(path, [.. header, .. content]);

        await using var read = new SpooledMessage(Envelope, path, header.Length).OpenContent();
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("client gone");
    }
}
