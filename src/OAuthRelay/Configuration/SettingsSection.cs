namespace OAuthRelay.Configuration;

/// <summary>A top-level configuration section, the options type it binds to, and whether the running relay applies a change to it.</summary>
public sealed record SettingsSection(string Name, Type OptionsType, bool ReadAtStartOnly);
