using System.Text.Json;
using Microsoft.Extensions.Options;
using OAuthRelay.Spool;

namespace OAuthRelay.Queue;

/// <summary>
/// The queue on disk, one folder per state in the manner of Postfix: <c>incoming/</c> (being received, never trusted),
/// <c>messages/</c> and <c>deadletter/</c> (failed messages with their reason). A message is one file, <c>id.msg</c>:
/// its envelope as one line of JSON, then the client's exact bytes. It is written in <c>incoming/</c>, flushed to the
/// disk, renamed into <c>messages/</c> and the folder flushed: one file sync and one folder sync before the client
/// hears 250, and a message is in the queue exactly when its file is in <c>messages/</c>, whole. Where delivery stands
/// (attempts, recipients done, hold) is kept beside it in <c>id.json</c> once there is something to keep, and an
/// <c>id.sending</c> marker exists while the message is with the upstream: found at start, it means the message may
/// have been delivered already and is sent again (at-least-once).
/// </summary>
/// <remarks>
/// Only the acceptance is synced. The marker, the state and the removal of a delivered message are ordinary writes: a
/// killed process loses none of them (the kernel still has them); a power loss may forget some, which only repeats a
/// delivery, never loses one.
/// </remarks>
public sealed partial class QueueStore : IDisposable
{
    private const string MessageSuffix = ".msg";
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

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
        Folder = Path.GetFullPath(_options.Directory);
        (_incoming, _messages, _deadLetter) = (Path.Combine(Folder, "incoming"), Path.Combine(Folder, "messages"), Path.Combine(Folder, "deadletter"));
        foreach (var folder in new[] { Folder, _incoming, _messages, _deadLetter }) PrivateStorage.CreateFolder(folder);
    }

    /// <summary>Bytes of message content in the queue (dead letters not counted).</summary>
    public long QueuedBytes => Interlocked.Read(ref _bytes);

    public string Folder { get; }

    /// <summary>Whether a message of <paramref name="size"/> bytes fits under the queue's size limit and the disk's floor.</summary>
    public bool HasRoom(long size) => RoomProblem(size) is null;

    /// <summary>
    /// Stores a message for good. When this returns the client may be told 250. Throws
    /// <see cref="QueueFullException"/> when the message does not fit.
    /// </summary>
    public async Task<QueueEntry> AcceptAsync(Envelope envelope, Stream content, bool isBounce, CancellationToken cancellationToken)
    {
        if (RoomProblem(envelope.Size) is { } before) throw new QueueFullException(before);
        var receiving = Path.Combine(_incoming, envelope.Id + MessageSuffix);
        var header = JsonSerializer.SerializeToUtf8Bytes(new QueueFileHeader(envelope, isBounce), Json);
        long size;
        try
        {
            await using var file = PrivateStorage.CreateFile(receiving);
            await file.WriteAsync(header, cancellationToken);
            file.WriteByte((byte)'\n');
            await content.CopyToAsync(file, 64 * 1024, cancellationToken);
            file.Flush(flushToDisk: true); // what is still buffered, then fsync: one blocking call (no trip through the thread pool first)
            size = file.Length - header.Length - 1;
        }
        catch
        {
            File.Delete(receiving);
            throw;
        }

        if (RoomProblem(size) is { } after)
        {
            File.Delete(receiving);
            throw new QueueFullException(after);
        }

        File.Move(receiving, MessagePath(_messages, envelope.Id));
        Durability.FlushDirectory(_messages);
        Interlocked.Add(ref _bytes, size);
        return new QueueEntry { Envelope = envelope with { Size = size }, NextAttempt = _time.GetUtcNow(), IsBounce = isBounce, ContentOffset = header.Length + 1 };
    }

    /// <summary>
    /// Records where delivery stands (attempts, recipients done, hold). Written in full and renamed into place, so a
    /// crash leaves the old state or the new one.
    /// </summary>
    public Task SaveAsync(QueueEntry entry, CancellationToken cancellationToken) => WriteStateAsync(_messages, entry, cancellationToken);

    /// <summary>The message's content, for sending (the envelope line skipped).</summary>
    public SpooledMessage Content(QueueEntry entry) => new(entry.Envelope, MessagePath(_messages, entry.Id), entry.ContentOffset);

    /// <summary>The message goes to the upstream now; the marker exists before a byte is sent.</summary>
    public void MarkSending(QueueEntry entry) => File.Create(MarkerPath(entry.Id)).Dispose();

    public void ClearSending(QueueEntry entry) => File.Delete(MarkerPath(entry.Id));

    /// <summary>Delivered to every recipient: the message leaves the queue.</summary>
    public void Complete(QueueEntry entry)
    {
        File.Delete(StatePath(_messages, entry.Id));
        File.Delete(MessagePath(_messages, entry.Id));
        File.Delete(MarkerPath(entry.Id));
        Interlocked.Add(ref _bytes, -entry.Envelope.Size);
    }

    /// <summary>Failed for good (or deleted by an operator): the message and its state move to the dead-letter folder with the reason.</summary>
    public async Task DeadLetterAsync(QueueEntry entry, string reason, CancellationToken cancellationToken)
    {
        entry.DeadLetterReason = reason;
        await WriteStateAsync(_deadLetter, entry, cancellationToken);
        File.Move(MessagePath(_messages, entry.Id), MessagePath(_deadLetter, entry.Id), overwrite: true);
        File.Delete(StatePath(_messages, entry.Id));
        File.Delete(MarkerPath(entry.Id));
        Interlocked.Add(ref _bytes, -entry.Envelope.Size);
    }

    /// <summary>The messages in the dead-letter folder, with their reasons, oldest first.</summary>
    public IReadOnlyList<QueueEntry> DeadLetters() =>
        Directory.GetFiles(_deadLetter, "*.json").Select(ReadState).OfType<QueueEntry>().OrderBy(e => e.Envelope.Received).ToList();

    /// <summary>One dead letter with its reason; null when there is none by that id.</summary>
    public QueueEntry? DeadLetter(string id) => MessageIds.IsSafe(id) ? ReadState(StatePath(_deadLetter, id)) : null;

    /// <summary>
    /// At start: what a crash left. Content still being received was never acknowledged and is removed; a message
    /// that was with the upstream is announced as possibly sent twice; every message in <c>messages/</c> is returned
    /// to be delivered, with its delivery state when it has one.
    /// </summary>
    /// <remarks>
    /// Takes the queue for this process first (an exclusive lock on <c>queue.lock</c>, released by the system when the
    /// process ends, even by SIGKILL): two relays delivering one folder would send each message twice.
    /// </remarks>
    public IReadOnlyList<QueueEntry> Recover()
    {
        TakeOwnership();
        var unacknowledged = Directory.GetFiles(_incoming).Concat(Directory.GetFiles(_messages, "*.tmp")).ToList();
        foreach (var file in unacknowledged) File.Delete(file);
        if (unacknowledged.Count > 0) LogUnacknowledged(unacknowledged.Count);

        var entries = new List<QueueEntry>();
        foreach (var path in Directory.GetFiles(_messages, "*" + MessageSuffix))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            if (ReadHeader(path) is not var (header, offset))
            {
                LogUnreadable(path);
                File.Move(path, MessagePath(_deadLetter, id), overwrite: true);
                continue;
            }

            var envelope = header.Envelope with { Size = new FileInfo(path).Length - offset };
            var state = ReadState(StatePath(_messages, id));
            entries.Add(new QueueEntry
            {
                Envelope = envelope,
                IsBounce = header.IsBounce,
                ContentOffset = offset,
                NextAttempt = state?.NextAttempt ?? envelope.Received,
                Attempts = state?.Attempts ?? 0,
                LastReply = state?.LastReply,
                Held = state?.Held ?? false,
                Delivered = state?.Delivered ?? [],
                Refused = state?.Refused ?? [],
            });
            if (File.Exists(MarkerPath(id)))
            {
                LogMayBeSentTwice(id);
                File.Delete(MarkerPath(id));
            }
        }

        foreach (var orphan in Directory.GetFiles(_messages).Where(f => !f.EndsWith(MessageSuffix, StringComparison.Ordinal) && !File.Exists(Path.ChangeExtension(f, MessageSuffix))))
            File.Delete(orphan); // state or marker of a message that had already left

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

    private static async Task WriteStateAsync(string folder, QueueEntry entry, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(folder, entry.Id + ".json.tmp");
        await PrivateStorage.WriteAsync(temporary, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(entry, Json)), flushToDisk: false, cancellationToken);
        File.Move(temporary, StatePath(folder, entry.Id), overwrite: true);
    }

    /// <summary>A state file's content; null when there is none or it cannot be read (the message is then tried afresh).</summary>
    private static QueueEntry? ReadState(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<QueueEntry>(File.ReadAllBytes(path), Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>The envelope line of a message file and where the content after it starts; null when it is not one.</summary>
    private static (QueueFileHeader Header, long ContentOffset)? ReadHeader(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var line = new MemoryStream();
            for (var b = file.ReadByte(); b != '\n'; b = file.ReadByte())
            {
                if (b < 0) return null;
                line.WriteByte((byte)b);
            }

            return JsonSerializer.Deserialize<QueueFileHeader>(line.ToArray(), Json) is { } header ? (header, line.Length + 1) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    private static string MessagePath(string folder, string id) => Path.Combine(folder, id + MessageSuffix);

    private static string StatePath(string folder, string id) => Path.Combine(folder, id + ".json");

    private string MarkerPath(string id) => Path.Combine(_messages, id + ".sending");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue: removed {Count} file(s) of messages still being received when the relay stopped; their clients were never told 250 and will resend")]
    private partial void LogUnacknowledged(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue: {Path} has no readable envelope; moved to the dead-letter folder")]
    private partial void LogUnreadable(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} was being delivered when the relay stopped: it may have been delivered already and is sent again (at-least-once)")]
    private partial void LogMayBeSentTwice(string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue: {Count} message(s), {Bytes} bytes, taken up again")]
    private partial void LogRecovered(int count, long bytes);
}
