using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// The StackExchange.Redis settings made from section State: never give up connecting (the library reconnects on its
/// own, every half second at first, every 5 s at most), fail a command at once while disconnected instead of queueing
/// it (the caller falls back to local state), and time out after <see cref="StateOptions.Timeout"/>.
/// </summary>
internal static class RedisConfiguration
{
    /// <exception cref="ArgumentException">The connection string is not one.</exception>
    /// <exception cref="IOException">The password or CA file cannot be read.</exception>
    public static ConfigurationOptions Build(StateOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Redis!);
        if (configuration.EndPoints.Count == 0) throw new ArgumentException("it names no host:port");
        if (options.RedisPassword is { Length: > 0 } password) configuration.Password = password;
        else if (options.RedisPasswordFile is { } file) configuration.Password = File.ReadAllText(file).Trim();
        if (options.TrustedCaFile is { } caFile) configuration.TrustIssuer(caFile);
        var timeout = (int)options.Timeout.TotalMilliseconds;
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.ReconnectRetryPolicy = new ExponentialRetry(500, 5000);
        configuration.ClientName ??= "oauthrelay";
        return configuration;
    }
}
