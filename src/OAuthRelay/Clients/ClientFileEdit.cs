namespace OAuthRelay.Clients;

/// <summary>
/// One client setting changed in the operator's file: which, its value before and after (as written in the JSON, or
/// "(unset)"), and the problems the configuration check found; with problems the file was left as it was.
/// </summary>
public sealed record ClientFileEdit(string Setting, string Before, string After, IReadOnlyList<string> Problems)
{
    public const string Unset = "(unset)";

    public bool Written => Problems.Count == 0;
}
