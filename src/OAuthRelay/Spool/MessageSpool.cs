using Microsoft.Extensions.Options;

namespace OAuthRelay.Spool;

/// <summary>
/// Keeps the content of a pass-through message in a file while it is sent upstream, so a 25 MB message never sits in
/// memory and the upstream connection is taken only once the client has finished sending. A spooled pass-through
/// message was never acknowledged to its client, so files left by a crash are deleted at start: the client did not get
/// a 250 and sends again.
/// </summary>
public sealed partial class MessageSpool
{
    private const string Suffix = ".spool";

    private readonly string _directory;

    public MessageSpool(IOptions<SpoolOptions> options, ILogger<MessageSpool> logger)
    {
        _directory = Path.GetFullPath(options.Value.Directory);
        PrivateStorage.CreateFolder(_directory);
        var leftovers = Directory.GetFiles(_directory, "*" + Suffix);
        foreach (var file in leftovers) File.Delete(file);
        if (leftovers.Length > 0) LogLeftovers(logger, leftovers.Length, _directory);
    }

    /// <summary>Writes the content; the envelope's size is what was written. The caller deletes the file when done.</summary>
    public async Task<SpooledMessage> WriteAsync(Envelope envelope, Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, envelope.Id + Suffix);
        var size = await PrivateStorage.WriteAsync(path, content, flushToDisk: false, cancellationToken);
        return new SpooledMessage(envelope with { Size = size }, path);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Count} unacknowledged spool file(s) from an earlier run in {Directory}; their clients were never told 250 and will resend")]
    private static partial void LogLeftovers(ILogger logger, int count, string directory);
}
