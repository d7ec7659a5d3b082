using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OAuthRelay.Relay;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Delivery;

/// <summary>
/// Writes each message byte for byte as <c>{message id}.eml</c>. The file appears whole or not at all: it is written
/// under a temporary name, flushed to disk, then renamed, so a reader of the folder never sees half a message.
/// </summary>
public sealed partial class CaptureDelivery : IMessageDelivery
{
    private readonly string _folder;
    private readonly ILogger<CaptureDelivery> _logger;

    public CaptureDelivery(IOptions<DeliveryOptions> options, ILogger<CaptureDelivery> logger)
    {
        _folder = Path.GetFullPath(options.Value.CaptureFolder);
        _logger = logger;
        Directory.CreateDirectory(_folder);
    }

    public string Describe() => $"capture mode, no Office 365 account needed: each accepted message is written to {_folder} as an .eml file";

    public async ValueTask<SmtpReply> DeliverAsync(Envelope envelope, Stream content, CancellationToken cancellationToken)
    {
        var final = Path.Combine(_folder, envelope.MessageId + ".eml");
        var temporary = Path.Combine(_folder, "." + envelope.MessageId + ".eml.tmp");
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

        LogCaptured(envelope.MessageId, envelope.ClientName, envelope.Recipients.Count, final);
        return new SmtpReply(250, "2.0.0", $"OK queued as {envelope.MessageId}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Captured message {MessageId} from client {Client} for {Recipients} recipient(s) as {Path}")]
    private partial void LogCaptured(string messageId, string client, int recipients, string path);
}
