namespace OAuthRelay.Upstream;

/// <summary>No upstream connection for the mailbox became free in time.</summary>
public sealed class UpstreamBusyException(string identity, TimeSpan waited)
    : Exception($"All upstream connections for {identity} stayed busy for {waited.TotalSeconds:0} s.");
