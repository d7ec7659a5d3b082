namespace OAuthRelay.Upstream;

/// <summary>One upstream identity's SMTP connections: leased to client sessions, idle in the pool, and the cap.</summary>
public sealed record UpstreamPoolUsage(string Identity, int InUse, int Idle, int Max);
