using System.IO.Pipelines;
using System.Text;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Tests.Smtp;

/// <summary>The DATA decoder alone: dot-unstuffing, the only end mark, the size limit while reading.</summary>
public sealed class MessageDataStreamTests
{
    [Theory]
    [InlineData(".\r\n", "", "")]
    [InlineData("a\r\n.\r\n", "a\r\n", "")]
    [InlineData("..a\r\n.\r\n", ".a\r\n", "")]
    [InlineData("a\r\n..\r\n.\r\n", "a\r\n.\r\n", "")]
    [InlineData("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", "")]
    [InlineData("a\r.\rb\r\n.\r\n", "a\r.\rb\r\n", "")]
    [InlineData("a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", "")] // ".\n" is a dot line with more on it: the dot goes, nothing ends
    [InlineData("a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", "")]
    [InlineData("a\r\n.\r\nNOOP\r\n", "a\r\n", "NOOP\r\n")]
    [InlineData("\r\r\n.\r\n", "\r\r\n", "")]
    public async Task Decodes_and_stops_exactly_at_crlf_dot_crlf(string wire, string content, string left)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(wire));
        var stream = new MessageDataStream(pipe.Reader, 1 << 20, () => CancellationToken.None);

        var decoded = new MemoryStream();
        await stream.CopyToAsync(decoded);

        Assert.Equal(content, Encoding.ASCII.GetString(decoded.ToArray()));
        Assert.True(stream.IsComplete);
        var remaining = pipe.Reader.TryRead(out var rest) ? Encoding.ASCII.GetString(rest.Buffer) : "";
        Assert.Equal(left, remaining);
    }

    [Fact]
    public async Task Decodes_the_same_when_bytes_arrive_one_at_a_time()
    {
        const string wire = "x\r\n..y\r\n.\rz\n.\n\r\n.\r\n";
        var pipe = new Pipe();
        var stream = new MessageDataStream(pipe.Reader, 1 << 20, () => CancellationToken.None);
        var writer = Task.Run(async () =>
        {
            foreach (var b in Encoding.ASCII.GetBytes(wire)) await pipe.Writer.WriteAsync(new[] { b });
        });

        var decoded = new MemoryStream();
        await stream.CopyToAsync(decoded);
        await writer;
        Assert.Equal("x\r\n.y\r\n\rz\n.\n\r\n", Encoding.ASCII.GetString(decoded.ToArray()));
    }

    [Fact]
    public async Task The_size_limit_stops_the_reader_before_the_end_of_the_message_arrives()
    {
        var pipe = new Pipe();
        // Twice the limit and no end mark: a reader that waited for the end would hang here.
        await pipe.Writer.WriteAsync(new byte[2000]);
        var stream = new MessageDataStream(pipe.Reader, 1000, () => CancellationToken.None);

        await Assert.ThrowsAsync<MessageTooLargeException>(() => stream.CopyToAsync(Stream.Null));
        Assert.True(stream.IsTooLarge);
        Assert.False(stream.IsComplete);
    }
}
