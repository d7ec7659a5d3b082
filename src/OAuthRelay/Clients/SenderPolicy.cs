namespace OAuthRelay.Clients;

/// <summary>Which envelope senders a client may use: exact addresses, "*@domain" for a whole domain, or "*".</summary>
public sealed class SenderPolicy(IReadOnlyList<string> patterns)
{
    public IReadOnlyList<string> Patterns { get; } = patterns;

    public bool Allows(string reversePath) => Patterns.Any(p => Matches(p, reversePath));

    private static bool Matches(string pattern, string address) => pattern switch
    {
        "*" => true,
        // "*@contoso.com": the "@" kept in the suffix stops "x@evil-contoso.com" from matching.
        _ when pattern.StartsWith("*@", StringComparison.Ordinal) => address.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase),
        _ => string.Equals(pattern, address, StringComparison.OrdinalIgnoreCase),
    };
}
