using Microsoft.Extensions.Options;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Delivery;

/// <summary>
/// Writes each message byte for byte as <c>{message id}.eml</c>. The file appears whole or not at all: it is written
/// under a temporary name, flushed to disk, then renamed, so a reader of the folder never sees half a message.
/// Temporary files left by a crash are deleted at start: their clients were never told 250.
/// </summary>
public sealed partial class CaptureDelivery : IMessageDelivery
{
    private const string TemporarySuffix = ".eml.tmp";

    private readonly string _folder;

    public CaptureDelivery(IOptions<DeliveryOptions> options, ILogger<CaptureDelivery> logger)
    {
        _folder = Path.GetFullPath(options.Value.CaptureFolder);
        Directory.CreateDirectory(_folder);
        var leftovers = Directory.GetFiles(_folder, ".*" + TemporarySuffix);
        foreach (var file in leftovers) File.Delete(file);
        if (leftovers.Length > 0) LogLeftovers(logger, leftovers.Length, _folder);
    }

    public string Describe() => $"capture mode, no Office 365 account needed: each accepted message is written to {_folder} as an .eml file";

    public IDeliveryTransaction Begin(DeliveryRoute route) => new Transaction(_folder);

    private sealed class Transaction(string folder) : IDeliveryTransaction
    {
        public ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpReplies.SenderOk);

        public ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpReplies.RecipientOk);

        public async ValueTask<SmtpReply> DataAsync(string messageId, Stream content, CancellationToken cancellationToken)
        {
            var final = Path.Combine(folder, messageId + ".eml");
            var temporary = Path.Combine(folder, "." + messageId + TemporarySuffix);
            try
            {
                await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                {
                    await content.CopyToAsync(file, 64 * 1024, cancellationToken);
                    await file.FlushAsync(cancellationToken);
                    file.Flush(flushToDisk: true);
                }

                File.Move(temporary, final);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            return new SmtpReply(250, "2.0.0", $"OK queued as {messageId}");
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Count} unfinished capture file(s) from an earlier run in {Folder}; their clients were never told 250 and will resend")]
    private static partial void LogLeftovers(ILogger logger, int count, string folder);
}
