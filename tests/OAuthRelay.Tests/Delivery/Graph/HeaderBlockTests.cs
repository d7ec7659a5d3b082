using System.Text;
using OAuthRelay.Delivery.Graph;

namespace OAuthRelay.Tests.Delivery.Graph;

/// <summary>The header block read from raw bytes: where it ends, and fields left out with their folded lines.</summary>
public sealed class HeaderBlockTests
{
    private static Task<HeaderBlock?> ReadAsync(string message, int limit = 1024) =>
        HeaderBlock.ReadAsync(new MemoryStream(Encoding.ASCII.GetBytes(message)), limit, CancellationToken.None);

    [Theory]
    [InlineData("To: a@example.test\r\nBcc: b@example.test,\r\n\tc@example.test\r\nSubject: s\r\n\r\nbody\r\n", "To: a@example.test\r\nSubject: s\r\n")]
    [InlineData("To: a@example.test\nbcc : b@example.test\nSubject: s\n\nbody\n", "To: a@example.test\nSubject: s\n")]
    [InlineData("Bcc: b@example.test\r\nResent-Bcc: r@example.test\r\nTo: a@example.test", "Resent-Bcc: r@example.test\r\nTo: a@example.test")]
    public async Task Bcc_fields_are_left_out_with_their_folded_lines_and_the_block_ends_at_the_empty_line(string message, string without)
    {
        var block = await ReadAsync(message);

        Assert.NotNull(block);
        Assert.True(block.Has("Bcc"));
        Assert.Equal(without, Encoding.ASCII.GetString(block.Without("Bcc")));
        var end = message.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var crlf and >= 0 ? crlf + 2
            : message.IndexOf("\n\n", StringComparison.Ordinal) is var lf and >= 0 ? lf + 1 : message.Length;
        Assert.Equal(end, block.Length);
        Assert.Equal("a@example.test", block.Headers["To"]?.Trim());
    }

    [Fact]
    public async Task A_block_longer_than_the_limit_is_not_read_and_one_within_it_is_read_in_growing_steps()
    {
        var fields = string.Concat(Enumerable.Range(0, 1000).Select(i => $"X-Field-{i:D4}: value\r\n"));

        Assert.Null(await ReadAsync(fields + "\r\nbody", limit: fields.Length - 1));
        var block = await ReadAsync(fields + "\r\nbody", limit: fields.Length + 2);
        Assert.Equal(fields.Length, block!.Length);
        Assert.False(block.Has("Bcc"));
    }
}
