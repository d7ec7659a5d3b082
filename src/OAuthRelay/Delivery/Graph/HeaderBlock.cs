using System.Text;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// A message's header block as raw bytes, split into its fields (each with its folded lines and line ends), so that
/// fields can be left out and the rest written back unchanged.
/// </summary>
internal sealed class HeaderBlock
{
    private readonly byte[] _bytes;
    private readonly List<Range> _fields;

    private HeaderBlock(byte[] bytes, List<Range> fields, int length)
    {
        _bytes = bytes;
        _fields = fields;
        Length = length;
    }

    /// <summary>The bytes before the empty line that ends the block (the whole message if it has none).</summary>
    public int Length { get; }

    /// <summary>The block's bytes, parsed by MimeKit.</summary>
    public MimeKit.HeaderList Headers => MimeKit.HeaderList.Load(new MemoryStream(_bytes, 0, Length, writable: false));

    /// <summary>Whether a field is named <paramref name="name"/> (case-insensitive).</summary>
    public bool Has(string name) => _fields.Any(f => IsNamed(f, name));

    /// <summary>The block's bytes without the fields named <paramref name="name"/>.</summary>
    public byte[] Without(string name)
    {
        var kept = new MemoryStream(Length);
        foreach (var field in _fields.Where(f => !IsNamed(f, name))) kept.Write(_bytes.AsSpan(field));
        return kept.ToArray();
    }

    /// <summary>Reads the header block from the start of <paramref name="message"/>; null if it is longer than <paramref name="limit"/> bytes.</summary>
    /// <remarks>Read as far as the block goes, in growing steps: most blocks are a few kilobytes.</remarks>
    public static async Task<HeaderBlock?> ReadAsync(Stream message, int limit, CancellationToken cancellationToken)
    {
        var bytes = new byte[Math.Min(limit, 8 * 1024)];
        var fields = new List<Range>();
        var (read, at) = (0, 0);
        while (true)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', at, read - at);
            if (newline < 0)
            {
                if (read == limit) return null;
                if (read == bytes.Length) Array.Resize(ref bytes, Math.Min(limit, read * 2));
                var more = await message.ReadAsync(bytes.AsMemory(read), cancellationToken);
                if (more > 0)
                {
                    read += more;
                    continue;
                }
            }

            // A line, or at the end of the message what is left of it.
            var next = newline < 0 ? read : newline + 1;
            if (next == at) return new HeaderBlock(bytes, fields, at);
            var line = bytes.AsSpan(at, next - at);
            if (line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8)) return new HeaderBlock(bytes, fields, at);
            if (line[0] is (byte)' ' or (byte)'\t' && fields.Count > 0) fields[^1] = fields[^1].Start..next;
            else fields.Add(at..next);
            at = next;
        }
    }

    private bool IsNamed(Range field, string name)
    {
        var bytes = _bytes.AsSpan(field);
        var colon = bytes.IndexOf((byte)':');
        return colon >= 0 && Encoding.ASCII.GetString(bytes[..colon]).TrimEnd().Equals(name, StringComparison.OrdinalIgnoreCase);
    }
}
