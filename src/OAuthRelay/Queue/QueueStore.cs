using System.Text.Json;
using Microsoft.Extensions.Options;
using OAuthRelay.Spool;

namespace OAuthRelay.Queue;

/// <summary>
/// The queue on disk, one folder per state in the manner of Postfix: <c>incoming/</c> (content being received, never
/// trusted), <c>messages/</c> (<c>id.eml</c> with the client's exact bytes and <c>id.json</c> with its envelope and
/// delivery state; the JSON is written last, so a message is in the queue exactly when its JSON is) and
/// <c>deadletter/</c> (failed messages with their reason). A message is accepted only once its content, its JSON and
/// the folder entries are on the disk itself (fsync), so a crash at any moment keeps every message a client was told
/// 250 for. A <c>id.sending</c> marker exists while the message is with the upstream: found at start, it means the
/// message may have been delivered already and will be sent again (at-least-once).
/// </summary>
public sealed partial class QueueStore : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueStore> _logger;
    private readonly string _incoming;
    private readonly string _messages;
    private readonly string _deadLetter;
    private long _bytes;
    private FileStream? _ownership;

    public QueueStore(IOptions<QueueOptions> options, TimeProvider time, ILogger<QueueStore> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        var root = Path.GetFullPath(_options.Directory);
        (_incoming, _messages, _deadLetter) = (Path.Combine(root, "incoming"), Path.Combine(root, "messages"), Path.Combine(root, "deadletter"));
        foreach (var folder in new[] { root, _incoming, _messages, _deadLetter }) PrivateStorage.CreateFolder(folder);
    }

    /// <summary>Bytes of message content in the queue (dead letters not counted).</summary>
    public long QueuedBytes => Interlocked.Read(ref _bytes);

    public string Folder => Path.GetDirectoryName(_messages)!;

    /// <summary>Whether a message of <paramref name="size"/> bytes fits under the queue's size limit and the disk's floor.</summary>
    public bool HasRoom(long size) => RoomProblem(size) is null;

    /// <summary>
    /// Stores a message for good: content, then envelope, then the folder, each flushed to disk. When this returns the
    /// client may be told 250. Throws <see cref="QueueFullException"/> when the message does not fit.
    /// </summary>
    public async Task<QueueEntry> AcceptAsync(Envelope envelope, Stream content, bool isBounce, CancellationToken cancellationToken)
    {
        if (RoomProblem(envelope.Size) is { } before) throw new QueueFullException(before);
        var receiving = Path.Combine(_incoming, envelope.Id + ".eml");
        var size = await PrivateStorage.WriteAsync(receiving, content, flushToDisk: true, cancellationToken);
        if (RoomProblem(size) is { } after)
        {
            File.Delete(receiving);
            throw new QueueFullException(after);
        }

        File.Move(receiving, ContentPath(envelope.Id));
        var entry = new QueueEntry { Envelope = envelope with { Size = size }, NextAttempt = _time.GetUtcNow(), IsBounce = isBounce };
        await WriteStateAsync(_messages, entry, flushToDisk: true, cancellationToken);
        Durability.FlushDirectory(_messages);
        Interlocked.Add(ref _bytes, size);
        return entry;
    }

    /// <summary>
    /// Records a change of delivery state (attempts, recipients done, hold), on disk before the sending marker goes:
    /// recipients already delivered are not sent to again after a crash. Rare (retries, operators), so worth the flush.
    /// </summary>
    public Task SaveAsync(QueueEntry entry, CancellationToken cancellationToken) => WriteStateAsync(_messages, entry, flushToDisk: true, cancellationToken);

    public SpooledMessage Content(QueueEntry entry) => new(entry.Envelope, ContentPath(entry.Id));

    /// <summary>The message goes to the upstream now; the marker is on disk before a byte is sent.</summary>
    public void MarkSending(QueueEntry entry)
    {
        using (PrivateStorage.CreateFile(MarkerPath(entry.Id))) { }
        Durability.FlushDirectory(_messages);
    }

    public void ClearSending(QueueEntry entry) => File.Delete(MarkerPath(entry.Id));

    /// <summary>Delivered to every recipient: the message leaves the queue.</summary>
    public void Complete(QueueEntry entry)
    {
        File.Delete(StatePath(_messages, entry.Id));
        File.Delete(ContentPath(entry.Id));
        File.Delete(MarkerPath(entry.Id));
        Durability.FlushDirectory(_messages);
        Interlocked.Add(ref _bytes, -entry.Envelope.Size);
    }

    /// <summary>Failed for good (or deleted by an operator): content and state move to the dead-letter folder with the reason.</summary>
    public async Task DeadLetterAsync(QueueEntry entry, string reason, CancellationToken cancellationToken)
    {
        entry.DeadLetterReason = reason;
        await WriteStateAsync(_deadLetter, entry, flushToDisk: true, cancellationToken);
        File.Move(ContentPath(entry.Id), Path.Combine(_deadLetter, entry.Id + ".eml"), overwrite: true);
        File.Delete(StatePath(_messages, entry.Id));
        File.Delete(MarkerPath(entry.Id));
        Durability.FlushDirectory(_deadLetter);
        Durability.FlushDirectory(_messages);
        Interlocked.Add(ref _bytes, -entry.Envelope.Size);
    }

    /// <summary>The messages in the dead-letter folder, with their reasons.</summary>
    public IReadOnlyList<QueueEntry> DeadLetters() =>
        Directory.GetFiles(_deadLetter, "*.json").Select(ReadState).OfType<QueueEntry>().OrderBy(e => e.Envelope.Received).ToList();

    /// <summary>
    /// At start: what a crash left. Content still being received, or content without its envelope, was never
    /// acknowledged and is removed; a message that was with the upstream is announced as possibly sent twice; every
    /// complete message is returned to be delivered.
    /// </summary>
    /// <remarks>
    /// Takes the queue for this process first (an exclusive lock on <c>queue.lock</c>, released by the system when the
    /// process ends, even by SIGKILL): two relays delivering one folder would send each message twice.
    /// </remarks>
    public IReadOnlyList<QueueEntry> Recover()
    {
        TakeOwnership();
        var unacknowledged = Directory.GetFiles(_incoming).Concat(Directory.GetFiles(_messages, "*.tmp")).ToList();
        foreach (var content in Directory.GetFiles(_messages, "*.eml").Where(c => !File.Exists(Path.ChangeExtension(c, ".json")))) unacknowledged.Add(content);
        foreach (var file in unacknowledged) File.Delete(file);
        if (unacknowledged.Count > 0) LogUnacknowledged(unacknowledged.Count);

        var entries = new List<QueueEntry>();
        foreach (var state in Directory.GetFiles(_messages, "*.json"))
        {
            if (ReadState(state) is not { } entry || !File.Exists(ContentPath(entry.Id)))
            {
                LogUnreadable(state);
                File.Move(state, Path.Combine(_deadLetter, Path.GetFileName(state)), overwrite: true);
                continue;
            }

            if (File.Exists(MarkerPath(entry.Id)))
            {
                LogMayBeSentTwice(entry.Id);
                File.Delete(MarkerPath(entry.Id));
            }

            entries.Add(entry);
        }

        Interlocked.Exchange(ref _bytes, entries.Sum(e => e.Envelope.Size));
        if (entries.Count > 0) LogRecovered(entries.Count, QueuedBytes);
        return entries;
    }

    public void Dispose() => _ownership?.Dispose();

    private void TakeOwnership()
    {
        var path = Path.Combine(Folder, "queue.lock");
        try
        {
            _ownership = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"The queue folder {Folder} is in use by another relay process ({e.Message}); give each relay its own Queue:Directory", e);
        }
    }

    private string? RoomProblem(long size)
    {
        if (QueuedBytes + size > _options.MaxQueueSize) return $"the queue holds {QueuedBytes} of {_options.MaxQueueSize} bytes";
        var free = new DriveInfo(_messages).AvailableFreeSpace;
        return free - size < _options.MinFreeDiskSpace ? $"{free} bytes free on the queue's disk, {_options.MinFreeDiskSpace} kept free" : null;
    }

    private async Task WriteStateAsync(string folder, QueueEntry entry, bool flushToDisk, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(folder, entry.Id + ".json.tmp");
        await PrivateStorage.WriteAsync(temporary, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(entry, Json)), flushToDisk, cancellationToken);
        File.Move(temporary, StatePath(folder, entry.Id), overwrite: true);
    }

    private QueueEntry? ReadState(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<QueueEntry>(File.ReadAllBytes(path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    private string ContentPath(string id) => Path.Combine(_messages, id + ".eml");

    private string MarkerPath(string id) => Path.Combine(_messages, id + ".sending");

    private static string StatePath(string folder, string id) => Path.Combine(folder, id + ".json");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue: removed {Count} file(s) of messages still being received when the relay stopped; their clients were never told 250 and will resend")]
    private partial void LogUnacknowledged(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue: {Path} cannot be read or has no content; moved to the dead-letter folder")]
    private partial void LogUnreadable(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} was being delivered when the relay stopped: it may have been delivered already and is sent again (at-least-once)")]
    private partial void LogMayBeSentTwice(string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue: {Count} message(s), {Bytes} bytes, taken up again")]
    private partial void LogRecovered(int count, long bytes);
}
