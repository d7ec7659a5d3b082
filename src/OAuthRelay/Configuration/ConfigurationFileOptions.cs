namespace OAuthRelay.Configuration;

/// <summary>Section "Configuration": how the running relay notices edits of its configuration file.</summary>
public sealed class ConfigurationFileOptions
{
    /// <summary>How often the file's content is read and compared with what was last loaded.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
