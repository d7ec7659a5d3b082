namespace OAuthRelay.State;

/// <summary>
/// Section "State": where the replicas of one relay share their state. Without <see cref="Redis"/> everything is kept
/// in this process, as for a single relay.
/// </summary>
public sealed class StateOptions
{
    /// <summary>
    /// A StackExchange.Redis connection string (<c>host:6379,ssl=true,user=relay</c>). One with a password belongs in
    /// the environment (OAUTHRELAY__State__Redis); or give the password on its own.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The Redis password, when not in the connection string; best from the environment.</summary>
    public string? RedisPassword { get; set; }

    /// <summary>A file holding the Redis password (a mounted secret).</summary>
    public string? RedisPasswordFile { get; set; }

    /// <summary>A PEM file of the CA that issued Redis's TLS certificate (a private CA); public CAs stay trusted.</summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>How many replicas share the limits: while Redis is unreachable each uses this share of them.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>Prefix of every key and channel, so that one Redis can serve several relay fleets.</summary>
    public string KeyPrefix { get; set; } = "oauthrelay:";

    /// <summary>How long a lease lives unless renewed: a replica that dies gives its connection slots back after this.</summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one Redis operation; past it the replica works on its local state.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    public bool IsShared => !string.IsNullOrWhiteSpace(Redis);

    /// <summary>The part of a fleet-wide limit one replica uses on its own (at least 1).</summary>
    public int LocalShare(int limit) => Math.Max(1, limit / Math.Max(1, Replicas));
}
