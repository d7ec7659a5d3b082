using System.Security.Cryptography;
using Microsoft.Extensions.Configuration.Json;

namespace OAuthRelay.Configuration;

/// <summary>
/// Loads the operator's JSON file and keeps a SHA-256 of the bytes it last read (parsed or not), so that a poll can
/// tell whether the file has changed since: a change of content is a change, whatever happened to links,
/// directories or timestamps on the way (see <see cref="ConfigurationFileWatcher"/>).
/// </summary>
public sealed class WatchedJsonFileProvider(WatchedJsonFileSource source) : JsonConfigurationProvider(source)
{
    private volatile byte[] _loadedHash = [];

    public string FullPath => source.FullPath;

    public override void Load(Stream stream)
    {
        var content = new MemoryStream();
        stream.CopyTo(content);
        // Remembered before parsing: a broken file is reported once, not again on every poll.
        _loadedHash = SHA256.HashData(content.GetBuffer().AsSpan(0, (int)content.Length));
        content.Position = 0;
        base.Load(content);
    }

    /// <summary>Whether the file's content differs from what was last loaded. A file that cannot be read now (briefly missing while it is replaced) has not changed.</summary>
    public bool HasChanged()
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(FullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return !SHA256.HashData(content).AsSpan().SequenceEqual(_loadedHash);
    }
}
