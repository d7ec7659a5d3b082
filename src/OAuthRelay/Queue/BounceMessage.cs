using MimeKit;
using MimeKit.Utils;

namespace OAuthRelay.Queue;

/// <summary>
/// The delivery status notification (RFC 3464) for a queued message that failed: a human-readable part, the
/// machine-readable status per failed recipient (with the upstream's own reply as diagnostic), and the original
/// message's headers (text/rfc822-headers, RFC 6522), built with MimeKit.
/// </summary>
internal static class BounceMessage
{
    public static MimeMessage Build(QueueEntry failed, string from, string to, string reportingHost, DateTimeOffset now, HeaderList originalHeaders, bool expired)
    {
        var report = new MultipartReport("delivery-status");
        report.Add(new TextPart("plain") { Text = Explanation(failed, expired) });

        var status = new MessageDeliveryStatus();
        status.StatusGroups.Add(new HeaderList
        {
            { "Reporting-MTA", $"dns; {reportingHost}" },
            { "X-OAuthRelay-Queue-ID", failed.Id },
            { "Arrival-Date", DateUtils.FormatDate(failed.Envelope.Received) },
        });
        foreach (var (recipient, reply) in failed.Refused)
        {
            status.StatusGroups.Add(new HeaderList
            {
                { "Final-Recipient", $"rfc822; {recipient}" },
                { "Action", "failed" },
                { "Status", StatusCode(reply, expired) },
                { "Diagnostic-Code", $"smtp; {reply}" },
                { "Last-Attempt-Date", DateUtils.FormatDate(now) },
            });
        }

        report.Add(status);
        var headers = new MemoryStream();
        originalHeaders.WriteTo(headers);
        headers.Position = 0;
        report.Add(new MimePart("text", "rfc822-headers") { Content = new MimeContent(headers) });

        var message = new MimeMessage { Subject = expired ? "Delivery time expired: message not delivered" : "Undelivered Mail Returned to Sender", Date = now, Body = report };
        message.From.Add(new MailboxAddress("Mail Delivery System", from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Headers.Add("Auto-Submitted", "auto-replied"); // RFC 3834: no automatic answers to this
        return message;
    }

    private static string Explanation(QueueEntry failed, bool expired) =>
        $"""
        This is the OAuthRelay at your site. Your message {failed.Id}, received {failed.Envelope.Received:u}, could not be delivered to {(failed.Refused.Count == 1 ? "this recipient" : "these recipients")}:

        {string.Join("\n", failed.Refused.Select(r => $"<{r.Key}>: {r.Value}"))}

        {(expired ? "The relay kept trying until the message's time in the queue ran out." : "The receiving side refused it for good.")}{(failed.Delivered.Count > 0 ? $" It was delivered to: {string.Join(", ", failed.Delivered)}." : string.Empty)}
        """;

    /// <summary>The RFC 3463 code: the reply's own when it has one, else 5.0.0 (refused) or 4.4.7 (delivery time expired).</summary>
    private static string StatusCode(string reply, bool expired)
    {
        var words = reply.Split(' ');
        return words.Length > 1 && words[1].Count(c => c == '.') == 2 && char.IsDigit(words[1][0]) && !expired ? words[1] : expired ? "4.4.7" : "5.0.0";
    }
}
