namespace OAuthRelay.Configuration;

/// <summary>
/// What a check of the configuration found: each section's bound options (the effective settings), what the relay
/// derives from them (a client's OAuth and delivery mode where it inherits the global default), errors that stop the
/// start, and warnings the relay starts with.
/// </summary>
public sealed class ConfigurationReport
{
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];
    private readonly List<string> _notes = [];
    private readonly Dictionary<string, object> _sections = [];
    private readonly List<string> _derived = [];

    /// <summary>The options of each section that bound, by section name.</summary>
    public IReadOnlyDictionary<string, object> Sections => _sections;

    /// <summary>"Section:Key (effective) = value" lines for values that come from more than one setting.</summary>
    public IReadOnlyList<string> Derived => _derived;

    public IReadOnlyList<string> Errors => _errors;

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>What the operator should know but need not fix: what each account needs granted.</summary>
    public IReadOnlyList<string> Notes => _notes;

    public bool IsValid => _errors.Count == 0;

    public void Error(string problem) => _errors.Add(problem);

    public void Warn(string warning) => _warnings.Add(warning);

    public void Note(string note) => _notes.Add(note);

    public void Bound(string section, object options) => _sections[section] = options;

    public void Derive(string setting, string value) => _derived.Add($"{setting} (effective) = {value}");

    /// <summary>A section's options, or null when it did not bind (its error is reported).</summary>
    public T? Section<T>(string section) where T : class => _sections.GetValueOrDefault(section) as T;
}
