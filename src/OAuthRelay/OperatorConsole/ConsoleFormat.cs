using System.Globalization;

namespace OAuthRelay.OperatorConsole;

/// <summary>Times, ages and sizes as the console writes them: UTC, short, the same on every page.</summary>
internal static class ConsoleFormat
{
    public static string Time(DateTimeOffset? at) => at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "-";

    public static string Age(TimeSpan? age) => age switch
    {
        null => "-",
        { TotalSeconds: < 60 } a => $"{Math.Max(0, (int)a.TotalSeconds)} s",
        { TotalMinutes: < 60 } a => $"{(int)a.TotalMinutes} min {a.Seconds} s",
        { TotalHours: < 48 } a => $"{(int)a.TotalHours} h {a.Minutes} min",
        var a => $"{(int)a.Value.TotalDays} days {a.Value.Hours} h",
    };

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MiB",
    };

    public static string Duration(TimeSpan duration) => duration.TotalSeconds < 1 ? $"{(int)duration.TotalMilliseconds} ms" : $"{duration.TotalSeconds:0.0} s";
}
