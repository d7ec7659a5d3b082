using Microsoft.Extensions.Options;

namespace OAuthRelay.Spool;

/// <summary>
/// Keeps message content in files while it is relayed, so a 25 MB message never sits in memory. In pass-through
/// delivery a spooled message was never acknowledged to its client, so files left by a crash are deleted at start:
/// the client did not get a 250 and sends again.
/// </summary>
public sealed partial class MessageSpool
{
    private readonly string _directory;

    public MessageSpool(IOptions<SpoolOptions> options, ILogger<MessageSpool> logger)
    {
        _directory = Path.GetFullPath(options.Value.Directory);
        PrivateStorage.CreateFolder(_directory);
        var leftovers = Directory.GetFiles(_directory, "*.spool");
        foreach (var file in leftovers) File.Delete(file);
        if (leftovers.Length > 0) LogLeftovers(logger, leftovers.Length, _directory);
    }

    public async Task<SpoolFile> WriteAsync(string messageId, Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, messageId + ".spool");
        try
        {
            await using (var file = PrivateStorage.CreateFile(path))
                await content.CopyToAsync(file, 64 * 1024, cancellationToken);
            return new SpoolFile(path, new FileInfo(path).Length);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Count} unacknowledged spool file(s) from an earlier run in {Directory}; their clients were never told 250 and will resend")]
    private static partial void LogLeftovers(ILogger logger, int count, string directory);
}
