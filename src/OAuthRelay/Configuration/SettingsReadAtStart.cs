namespace OAuthRelay.Configuration;

/// <summary>
/// The sections the relay reads only at start, as they were then, to say after a reload which of them differ now and
/// need a restart. Changes are named by entry (a listener, an account, a setting), never by value: values hold secrets.
/// </summary>
internal sealed class SettingsReadAtStart(IConfiguration configuration, IEnumerable<SettingsSection> sections)
{
    private readonly IReadOnlyList<(string Section, Dictionary<string, Dictionary<string, string?>> Entries)> _atStart =
        sections.Where(s => s.ReadAtStartOnly).Select(s => (s.Name, Entries(configuration, s.Name))).ToList();

    /// <summary>One line per section that changed since the start, e.g. "Accounts changed (added: sales; changed: office); …".</summary>
    public IEnumerable<string> Changes()
    {
        foreach (var (section, before) in _atStart)
        {
            var now = Entries(configuration, section);
            var parts = new (string What, IEnumerable<string> Names)[]
                {
                    ("added", now.Keys.Where(name => !before.ContainsKey(name))),
                    ("removed", before.Keys.Where(name => !now.ContainsKey(name))),
                    ("changed", before.Keys.Where(name => now.TryGetValue(name, out var settings) && !Same(before[name], settings))),
                }
                .Select(part => (part.What, Names: part.Names.ToList()))
                .Where(part => part.Names.Count > 0)
                .Select(part => $"{part.What}: {string.Join(", ", part.Names)}")
                .ToList();
            if (parts.Count > 0) yield return $"{section} changed ({string.Join("; ", parts)}); restart the relay to apply it";
        }
    }

    /// <summary>The section's settings grouped by their first key below it: an entry's name, or a setting's.</summary>
    private static Dictionary<string, Dictionary<string, string?>> Entries(IConfiguration configuration, string section) =>
        configuration.GetSection(section).AsEnumerable(makePathsRelative: true)
            .Where(setting => setting.Value is not null)
            .GroupBy(setting => setting.Key.Split(':')[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(entry => entry.Key, entry => entry.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);

    private static bool Same(Dictionary<string, string?> before, Dictionary<string, string?> now) =>
        before.Count == now.Count && before.All(setting => now.TryGetValue(setting.Key, out var value) && value == setting.Value);
}
