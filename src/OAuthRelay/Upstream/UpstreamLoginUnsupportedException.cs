namespace OAuthRelay.Upstream;

/// <summary>
/// A client with OAuth off would go upstream with its own password, but the upstream offers no mechanism that carries
/// one (neither PLAIN nor LOGIN): a setup problem for the operator, temporary for the client.
/// </summary>
public sealed class UpstreamLoginUnsupportedException(string identity, IEnumerable<string> offered)
    : Exception($"The upstream offers neither PLAIN nor LOGIN (only {string.Join(", ", offered.DefaultIfEmpty("no AUTH"))}), so {identity} cannot log in with a password; turn OAuth on for the client.");
