using System.Text;
using MimeKit;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// Graph has no envelope: it sends to the recipients in the message's headers. Envelope recipients the To and Cc
/// headers do not name (Bcc, list expansion) are therefore added as a Bcc header; nothing else changes.
/// </summary>
internal static class EnvelopeBcc
{
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

    /// <summary>The header line to put before the message (empty when every recipient is named), one address a folded line.</summary>
    public static async Task<byte[]> HeaderAsync(Stream message, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        var missing = Missing(await HeaderList.LoadAsync(message, cancellationToken), recipients);
        return missing.Count == 0 ? [] : Encoding.UTF8.GetBytes($"Bcc: {string.Join(",\r\n ", missing)}\r\n");
    }
}
