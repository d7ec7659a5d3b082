namespace OAuthRelay.Clients;

/// <summary>
/// The relay's full configuration check of a file, as check-config would run it: the problems that would stop the
/// relay from starting with it, none when it is fine. Given by the hosting layer, which owns the check.
/// </summary>
public delegate IReadOnlyList<string> ConfigurationFileCheck(string path);
