namespace OAuthRelay.Bench;

/// <summary>Resident memory and CPU time of a process, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux

    public static long ResidentBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>The peak resident memory since the last <see cref="ResetPeak"/> (VmHWM).</summary>
    public static long PeakResidentBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    /// <summary>Resets the peak (Linux: writing 5 to clear_refs).</summary>
    public static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    private static long StatusKilobytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime + stime
        return TimeSpan.FromSeconds(ticks / ClockTicksPerSecond);
    }
}
