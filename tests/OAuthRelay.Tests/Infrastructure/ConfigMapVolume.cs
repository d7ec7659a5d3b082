using System.Runtime.InteropServices;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>
/// A folder laid out as the kubelet lays out a mounted ConfigMap: the data in a timestamped directory, <c>..data</c>
/// a link to it, and the file a link through <c>..data</c>. An update writes a new directory and swaps <c>..data</c>
/// atomically by renaming a new link over it; the file and its link never change.
/// </summary>
internal sealed class ConfigMapVolume : IDisposable
{
    public const string FileName = "oauthrelay.json";

    private readonly string _folder = Directory.CreateTempSubdirectory("oauthrelay-configmap-").FullName;
    private int _version;

    public ConfigMapVolume(string content)
    {
        var data = WriteVersion(content);
        Directory.CreateSymbolicLink(Path.Combine(_folder, "..data"), data);
        File.CreateSymbolicLink(FilePath, Path.Combine("..data", FileName));
    }

    /// <summary>The path the relay is given: <c>oauthrelay.json -> ..data/oauthrelay.json</c>.</summary>
    public string FilePath => Path.Combine(_folder, FileName);

    public void Update(string content)
    {
        var previous = new DirectoryInfo(Path.Combine(_folder, "..data")).LinkTarget!;
        var data = WriteVersion(content);
        var temporary = Path.Combine(_folder, "..data_tmp");
        Directory.CreateSymbolicLink(temporary, data);
        if (Rename(temporary, Path.Combine(_folder, "..data")) != 0) throw new IOException($"rename failed: errno {Marshal.GetLastPInvokeError()}");
        Directory.Delete(Path.Combine(_folder, previous), recursive: true);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteVersion(string content)
    {
        var name = $"..2026_12_01_00_00_0{++_version}.000000000";
        Directory.CreateDirectory(Path.Combine(_folder, name));
        File.WriteAllText(Path.Combine(_folder, name, FileName), content);
        return name;
    }

    // rename(2) replaces the link atomically; File.Move and Directory.Move refuse to move a link over a link to a directory.
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);
}
