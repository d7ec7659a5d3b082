using System.Buffers;
using Microsoft.Extensions.Options;

namespace OAuthRelay.Spool;

/// <summary>
/// Keeps the content of a pass-through message while it is sent upstream, so that the upstream connection is taken
/// only once the client has finished sending. A small message (under <see cref="InMemoryBelow"/>) is kept in memory,
/// as long as all those held together stay under <see cref="InMemoryBudget"/>; anything larger goes to a file, so a
/// 25 MB message never sits in memory. A spooled pass-through message was never acknowledged to its client, so files
/// left by a crash are deleted at start: the client did not get a 250 and sends again.
/// </summary>
public sealed partial class MessageSpool
{
    /// <summary>A message smaller than this is held in memory (when the budget allows).</summary>
    internal const int InMemoryBelow = 64 * 1024;

    /// <summary>At most this much content is held in memory at once, across all connections; the rest goes to files.</summary>
    internal const long InMemoryBudget = 16 * 1024 * 1024;

    private const string Suffix = ".spool";

    private readonly string _directory;
    private long _inMemory;

    public MessageSpool(IOptions<SpoolOptions> options, ILogger<MessageSpool> logger)
    {
        _directory = Path.GetFullPath(options.Value.Directory);
        PrivateStorage.CreateFolder(_directory);
        var leftovers = Directory.GetFiles(_directory, "*" + Suffix);
        foreach (var file in leftovers) File.Delete(file);
        if (leftovers.Length > 0) LogLeftovers(logger, leftovers.Length, _directory);
    }

    /// <summary>Content held in memory now, in bytes.</summary>
    internal long InMemory => Interlocked.Read(ref _inMemory);

    /// <summary>Takes the content; the envelope's size is what was taken. The caller gives it back with <see cref="Discard"/>.</summary>
    public async Task<SpooledMessage> WriteAsync(Envelope envelope, Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, envelope.Id + Suffix);
        if (Interlocked.Add(ref _inMemory, InMemoryBelow) > InMemoryBudget)
        {
            Interlocked.Add(ref _inMemory, -InMemoryBelow);
            return new SpooledMessage(envelope with { Size = await PrivateStorage.WriteAsync(path, ReadOnlyMemory<byte>.Empty, content, flushToDisk: false, cancellationToken) }, path);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(InMemoryBelow);
        var held = 0;
        try
        {
            var filled = 0;
            for (int read; filled < InMemoryBelow && (read = await content.ReadAsync(buffer.AsMemory(filled, InMemoryBelow - filled), cancellationToken)) > 0;) filled += read;
            if (filled < InMemoryBelow)
            {
                held = filled;
                return new SpooledMessage(envelope with { Size = filled }, path) { Bytes = buffer.AsSpan(0, filled).ToArray() };
            }

            // Larger: what was read starts the file, the rest follows it.
            return new SpooledMessage(envelope with { Size = await PrivateStorage.WriteAsync(path, buffer.AsMemory(0, filled), content, flushToDisk: false, cancellationToken) }, path);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Add(ref _inMemory, held - InMemoryBelow);
        }
    }

    /// <summary>The message has been sent (or refused): its file goes, its memory is given back.</summary>
    public void Discard(SpooledMessage message)
    {
        if (message.Bytes is { } bytes) Interlocked.Add(ref _inMemory, -bytes.Length);
        else File.Delete(message.ContentPath);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Count} unacknowledged spool file(s) from an earlier run in {Directory}; their clients were never told 250 and will resend")]
    private static partial void LogLeftovers(ILogger logger, int count, string directory);
}
