namespace OAuthRelay.Spool;

/// <summary>One message's content on disk, exactly as the client sent it; deleted when disposed.</summary>
public sealed class SpoolFile(string path, long length) : IAsyncDisposable
{
    public string Path { get; } = path;

    public long Length { get; } = length;

    public FileStream OpenRead() => new(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);

    public ValueTask DisposeAsync()
    {
        File.Delete(Path);
        return ValueTask.CompletedTask;
    }
}
