using MimeKit;
using OAuthRelay.Spool;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// Sends a message too large for one sendMail: a draft through the JSON API, each attachment decoded from the spool
/// file into a temporary file next to it (inline in one request below InlineAttachmentLimit, else through an upload
/// session in UploadChunkSize pieces), then /send. The message is parsed with its parts left in the spool file, and
/// each piece is read from disk when sent, so memory stays at a few buffers whatever the size. A draft whose sending
/// fails is deleted.
/// </summary>
internal sealed partial class DraftSender(GraphUpstreamOptions options, ILogger logger)
{
    public async Task SendAsync(GraphMailboxClient graph, SpooledMessage message, string mailbox, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        await using var content = message.OpenContent();
        using var mime = await MimeMessage.LoadAsync(content, persistent: true, cancellationToken);
        var draft = await graph.CreateDraftAsync(GraphDraft.From(mime, mailbox, recipients), cancellationToken);
        try
        {
            var index = 0;
            foreach (var part in GraphDraft.Attachments(mime)) await AttachAsync(graph, draft, part, $"{message.ContentPath}.{++index}.attachment", cancellationToken);
            await graph.SendDraftAsync(draft, cancellationToken);
        }
        catch
        {
            try
            {
                await graph.DeleteDraftAsync(draft, CancellationToken.None);
            }
            catch (Exception cleanup) when (cleanup is not OperationCanceledException)
            {
                LogDraftLeft(message.Envelope.Id, mailbox, cleanup.Message);
            }

            throw;
        }
    }

    private async Task AttachAsync(GraphMailboxClient graph, string draft, MimeEntity part, string file, CancellationToken cancellationToken)
    {
        try
        {
            await using (var decoded = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                if (part is MessagePart { Message: { } attached }) await attached.WriteToAsync(decoded, cancellationToken);
                else if (part is MimePart { Content: { } body }) await body.DecodeToAsync(decoded, cancellationToken);
            }

            var size = new FileInfo(file).Length;
            var name = part is MimePart { FileName: { Length: > 0 } fileName } ? fileName : part is MessagePart ? "message.eml" : "attachment";
            var contentType = part.ContentType.MimeType;
            var inline = part.ContentId is not null && !(part.ContentDisposition?.IsAttachment ?? false);
            if (size < options.InlineAttachmentLimit)
            {
                var bytes = Convert.ToBase64String(await File.ReadAllBytesAsync(file, cancellationToken));
                await graph.AddAttachmentAsync(draft, new GraphJson.FileAttachment(name, contentType, bytes, inline, part.ContentId), cancellationToken);
                return;
            }

            var upload = await graph.CreateUploadSessionAsync(draft, new GraphJson.AttachmentItem(name, size, contentType, inline, part.ContentId), cancellationToken);
            await graph.UploadAsync(upload, file, size, options.UploadChunkSize, cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: the Graph draft in {Mailbox} could not be deleted after the failed send ({Error}); it stays in Drafts")]
    private partial void LogDraftLeft(string messageId, string mailbox, string error);
}
