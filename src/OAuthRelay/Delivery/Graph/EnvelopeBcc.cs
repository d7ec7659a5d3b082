using System.Text;
using MimeKit;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// Graph has no envelope: it sends to the recipients in the message's headers. Envelope recipients the To and Cc
/// headers do not name (Bcc, list expansion) are therefore added as a Bcc header; nothing else changes, but that a
/// Bcc header of the message itself gives way to it (the envelope says who gets a hidden copy, and a message must
/// not have two).
/// </summary>
internal static class EnvelopeBcc
{
    /// <summary>Longer header blocks are not rewritten (Exchange Online takes at most 256 KB of headers).</summary>
    private const int MaxHeaderBlock = 256 * 1024;

    /// <summary>The envelope recipients that To and Cc do not name, in envelope order.</summary>
    public static List<string> Missing(HeaderList headers, IReadOnlyList<string> recipients)
    {
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers.Where(h => h.Id is HeaderId.To or HeaderId.Cc))
        {
            if (InternetAddressList.TryParse(header.Value, out var addresses)) named.UnionWith(addresses.Mailboxes.Select(m => m.Address));
        }

        return recipients.Where(r => !named.Contains(r)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// What sendMail gets instead of the message's first <see cref="MimeStart.Skip"/> bytes: the Bcc header line (one
    /// address a folded line; none when every recipient is named), and, if the message has a Bcc header of its own,
    /// its header block without it. Null when the header block is too long to rewrite.
    /// </summary>
    public static async Task<MimeStart?> StartAsync(Stream message, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        if (await HeaderBlock.ReadAsync(message, MaxHeaderBlock, cancellationToken) is not { } block) return null;
        var missing = Missing(block.Headers, recipients);
        var bcc = missing.Count == 0 ? [] : Encoding.UTF8.GetBytes($"Bcc: {string.Join(",\r\n ", missing)}\r\n");
        return block.Has("Bcc") ? new MimeStart([.. bcc, .. block.Without("Bcc")], block.Length) : new MimeStart(bcc, 0);
    }

    /// <param name="Prefix">Sent first.</param>
    /// <param name="Skip">How many bytes of the message the prefix stands for; the rest follows unchanged.</param>
    public sealed record MimeStart(byte[] Prefix, long Skip);
}
