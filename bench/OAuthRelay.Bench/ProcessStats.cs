namespace OAuthRelay.Bench;

/// <summary>Resident memory and CPU time of a process, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux

    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime + stime
        return TimeSpan.FromSeconds(ticks / ClockTicksPerSecond);
    }
}
