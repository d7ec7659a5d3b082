namespace OAuthRelay.Configuration;

/// <summary>Warns about a file that others than its owner may write: whoever can write it changes who may send, or the key.</summary>
internal static class FilePermissions
{
    /// <summary>The warning for <paramref name="path"/> (read through links), or null; always null on Windows, which has no Unix modes.</summary>
    public static string? WritableByOthers(string what, string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return null;
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0) return null;
        return $"{what} {path} is writable by group or others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); make it writable by its owner only (chmod go-w).";
    }
}
