using System.Runtime.InteropServices;

namespace OAuthRelay.Spool;

/// <summary>
/// Makes a rename or a delete survive a crash: POSIX keeps a directory's entries in the page cache until the directory
/// itself is synced, so a renamed file can vanish after a power loss even though its content was flushed. .NET has no
/// call for that, so the directory is opened and fsync'd through libc. On Windows, NTFS journals the rename itself.
/// </summary>
internal static partial class Durability
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    public static void FlushDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(path, OperatingSystem.IsLinux() ? ReadOnly | Directory : ReadOnly);
        if (fd < 0) throw new IOException($"Cannot open {path} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"Cannot flush {path} to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
