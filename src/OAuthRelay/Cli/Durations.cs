namespace OAuthRelay.Cli;

/// <summary>Durations as an operator reads them in a table: the two largest units, "3d04h", "1h05m", "4m10s", "12s".</summary>
internal static class Durations
{
    public static string Short(TimeSpan duration) => duration switch
    {
        { TotalDays: >= 1 } => $"{(int)duration.TotalDays}d{duration.Hours:00}h",
        { TotalHours: >= 1 } => $"{duration.Hours}h{duration.Minutes:00}m",
        { TotalMinutes: >= 1 } => $"{duration.Minutes}m{duration.Seconds:00}s",
        _ => $"{Math.Max(0, (int)duration.TotalSeconds)}s",
    };
}
