using Microsoft.Extensions.Options;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Delivers by writing each message byte for byte as <c>{message id}.eml</c> (the sample configuration: no Office 365
/// account needed). The file appears whole or not at all: it is written under a temporary name, flushed to disk, then
/// renamed, so a reader of the folder never sees half a message. Temporary files left by a crash are deleted at start.
/// </summary>
public sealed partial class CaptureTransport : IMessageTransport
{
    private const string TemporarySuffix = ".eml.tmp";

    private readonly string _folder;

    public CaptureTransport(IOptions<DeliveryOptions> options, ILogger<CaptureTransport> logger)
    {
        _folder = Path.GetFullPath(options.Value.CaptureFolder);
        Directory.CreateDirectory(_folder);
        var leftovers = Directory.GetFiles(_folder, ".*" + TemporarySuffix);
        foreach (var file in leftovers) File.Delete(file);
        if (leftovers.Length > 0) LogLeftovers(logger, leftovers.Length, _folder);
    }

    public string Describe() => $"capture mode, no Office 365 account needed: each delivered message is written to {_folder} as an .eml file";

    public async Task<TransportOutcome> SendAsync(SpooledMessage message, UpstreamIdentity identity, IReadOnlyList<string> recipients, bool allOrNothing, CancellationToken cancellationToken)
    {
        var id = message.Envelope.Id;
        var temporary = Path.Combine(_folder, "." + id + TemporarySuffix);
        await using (var content = message.OpenContent())
        {
            await using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
            try
            {
                await content.CopyToAsync(file, 64 * 1024, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }
        }

        // A message delivered again after a crash replaces its earlier copy.
        File.Move(temporary, Path.Combine(_folder, id + ".eml"), overwrite: true);
        return TransportOutcome.Delivered(recipients, [], new SmtpReply(250, "2.0.0", $"captured as {id}.eml"));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Count} unfinished capture file(s) from an earlier run in {Folder}")]
    private static partial void LogLeftovers(ILogger logger, int count, string folder);
}
