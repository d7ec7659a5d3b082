using MimeKit;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// A parsed message as a Graph draft: subject, the HTML body (or the text body), To and Cc as the headers name them,
/// Bcc for the envelope recipients they do not name, Reply-To, From when it is not the mailbox, importance and the
/// X- headers (the only ones Graph takes). Every other leaf part is an attachment, inline when it has a Content-ID.
/// What this does not carry over (Message-ID, Date, threading and other headers, the MIME structure) is listed in the README.
/// </summary>
internal static class GraphDraft
{
    public static GraphJson.Message From(MimeMessage message, string mailbox, IReadOnlyList<string> recipients)
    {
        var html = message.HtmlBody;
        var from = message.From.Mailboxes.FirstOrDefault();
        return new GraphJson.Message(
            message.Subject,
            html is not null ? new GraphJson.ItemBody("html", html) : new GraphJson.ItemBody("text", message.TextBody ?? string.Empty),
            Recipients(message.To),
            Recipients(message.Cc),
            EnvelopeBcc.Missing(message.Headers, recipients).Select(a => new GraphJson.Recipient(new GraphJson.EmailAddress(a, null))).ToList(),
            Recipients(message.ReplyTo),
            from is not null && !string.Equals(from.Address, mailbox, StringComparison.OrdinalIgnoreCase) ? Recipient(from) : null,
            message.Importance switch
            {
                MessageImportance.High => "high",
                MessageImportance.Low => "low",
                _ => "normal",
            },
            XHeaders(message.Headers));
    }

    /// <summary>The parts that become attachments: every leaf but the text and HTML parts that make the body.</summary>
    public static IEnumerable<MimeEntity> Attachments(MimeMessage message) =>
        message.BodyParts.Where(part => part is not TextPart { IsAttachment: false, ContentId: null } text || !(text.IsPlain || text.IsHtml));

    private static List<GraphJson.Recipient> Recipients(InternetAddressList list) => list.Mailboxes.Select(Recipient).ToList();

    private static GraphJson.Recipient Recipient(MailboxAddress mailbox) =>
        new(new GraphJson.EmailAddress(mailbox.Address, string.IsNullOrEmpty(mailbox.Name) ? null : mailbox.Name));

    private static List<GraphJson.InternetMessageHeader>? XHeaders(HeaderList headers)
    {
        var custom = headers.Where(h => h.Field.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
            .Select(h => new GraphJson.InternetMessageHeader(h.Field, h.Value.Trim())).ToList();
        return custom.Count > 0 ? custom : null;
    }
}
