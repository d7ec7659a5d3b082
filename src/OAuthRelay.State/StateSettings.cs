using System.Net;
using OAuthRelay.State.Redis;
using StackExchange.Redis;

namespace OAuthRelay.State;

/// <summary>Checks section State as the relay uses it at start, each problem in one line naming the setting (never a secret).</summary>
public static class StateSettings
{
    public static IEnumerable<string> Problems(StateOptions options)
    {
        if (options.Replicas < 1) yield return $"State:Replicas must be at least 1, not {options.Replicas}.";
        if (options.LeaseTime <= TimeSpan.Zero) yield return $"State:LeaseTime must be more than zero, not {options.LeaseTime}.";
        if (options.Timeout <= TimeSpan.Zero) yield return $"State:Timeout must be more than zero, not {options.Timeout}.";
        if (!options.IsShared) yield break;
        if (options.RedisPasswordFile is { } file && !File.Exists(file)) yield return $"State:RedisPasswordFile {file} does not exist.";
        if (options.TrustedCaFile is { } caFile && !File.Exists(caFile)) yield return $"State:TrustedCaFile {caFile} does not exist.";
        if (Unusable(options) is { } reason) yield return $"State:Redis is not a usable connection string: {reason}.";
    }

    /// <summary>What an operator should know before running on this Redis.</summary>
    public static IEnumerable<string> Warnings(StateOptions options)
    {
        if (!options.IsShared || Unusable(options) is not null) yield break;
        var configuration = RedisConfiguration.Build(options);
        if (!configuration.Ssl && configuration.EndPoints.Any(e => !IsLoopback(e)))
            yield return "State:Redis connects without TLS to another machine: the token cache is encrypted, but leases and limits travel in clear text; add ssl=true.";
        if (options.Replicas == 1)
            yield return "State:Redis is set and State:Replicas is 1: while Redis is unreachable every replica would use the whole of each mailbox's limits; set it to the number of replicas.";
    }

    private static string? Unusable(StateOptions options)
    {
        try
        {
            RedisConfiguration.Build(options);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or RedisException or System.Security.Cryptography.CryptographicException)
        {
            return e.Message;
        }
    }

    private static bool IsLoopback(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        DnsEndPoint dns => dns.Host is "localhost",
        _ => false,
    };
}
