using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// The fleet's Redis: one multiplexer, connected on first use, reconnecting on its own (StackExchange.Redis), and one
/// subscription to the fleet's notice channel. Every command goes through <see cref="TryAsync{T}"/>: while Redis is
/// unreachable it fails at once, the caller falls back to its local state, and the change is logged once each way.
/// After a failure that left the socket up (a timeout) a command is let through again every <see cref="StateOptions.LeaseTime"/>/3.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly StateOptions _options;
    private readonly SharedStateStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisConnection> _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;
    private ChannelMessageQueue? _subscription;
    private DateTimeOffset _skipUntil;
    private long _failures;

    public RedisConnection(StateOptions options, SharedStateStatus status, TimeProvider time, ILogger<RedisConnection> logger)
    {
        _options = options;
        _status = status;
        _time = time;
        _logger = logger;
        Channel = RedisChannel.Literal(options.KeyPrefix + "events");
    }

    /// <summary>This process among the replicas: names its slots and leases and the notices it publishes.</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public RedisChannel Channel { get; }

    public bool IsAvailable => _status.Mode == SharedStateMode.Connected;

    /// <summary>A notice from the channel, in the order Redis delivered them.</summary>
    public event Action<SharedEvent>? Received;

    /// <summary>Redis answers again after an outage: notices may have been missed, so whatever is cached is read anew.</summary>
    public event Action? Restored;

    public RedisKey Key(string name) => _options.KeyPrefix + name;

    /// <summary>Runs one command (or script); not OK when Redis is unreachable or failed it, and the replica is then degraded.</summary>
    public async Task<Attempt<T>> TryAsync<T>(Func<IDatabase, Task<T>> command)
    {
        if (!IsAvailable && _time.GetUtcNow() < _skipUntil) return default;
        // Only a command sent after the last failure says Redis is back; one answered just before it says nothing.
        var failures = Interlocked.Read(ref _failures);
        try
        {
            var multiplexer = await ConnectAsync();
            _status.CountRoundTrip();
            var result = await command(multiplexer.GetDatabase());
            if (!IsAvailable && failures == Interlocked.Read(ref _failures)) Recovered();
            return new Attempt<T>(true, result);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed(e.Message);
            return default;
        }
    }

    /// <summary>Publishes a notice to every replica (this one included).</summary>
    public Task<Attempt<long>> PublishAsync(SharedEvent notice) =>
        TryAsync(db => db.PublishAsync(Channel, notice.Format()));

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (Volatile.Read(ref _multiplexer) is { } connected) return connected;
        await _connecting.WaitAsync();
        try
        {
            if (_multiplexer is not null) return _multiplexer;
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(RedisConfiguration.Build(_options));
            multiplexer.ConnectionFailed += (_, e) => Failed(e.Exception?.Message ?? e.FailureType.ToString());
            multiplexer.ConnectionRestored += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Interactive) Recovered();
            };
            Volatile.Write(ref _multiplexer, multiplexer);
            // Not connected: the command fails at once, and the subscription is made when Redis answers.
            if (multiplexer.IsConnected) await SubscribeAsync(multiplexer);
            return multiplexer;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <remarks>
    /// The subscription has a connection of its own, which may still be on its way when the commands' one is up (seen
    /// at start on a loaded machine): it is waited for, up to the Redis timeout, rather than the replica working alone
    /// and missing the others' notices until its next attempt.
    /// </remarks>
    private async Task SubscribeAsync(ConnectionMultiplexer multiplexer)
    {
        // One at a time (the first connection and a recovery may both get here): two subscriptions would deliver every notice twice.
        await _subscribing.WaitAsync();
        try
        {
            if (_subscription is not null) return;
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    _subscription = await multiplexer.GetSubscriber().SubscribeAsync(Channel);
                    break;
                }
                catch (RedisConnectionException) when (Stopwatch.GetElapsedTime(started) < _options.Timeout)
                {
                    await Task.Delay(SubscriptionRetry);
                }
            }

            _subscription.OnMessage(message =>
            {
                if (SharedEvent.Parse(message.Message) is { } notice) Received?.Invoke(notice);
            });
        }
        finally
        {
            _subscribing.Release();
        }
    }

    private static readonly TimeSpan SubscriptionRetry = TimeSpan.FromMilliseconds(20);

    private void Failed(string reason)
    {
        Interlocked.Increment(ref _failures);
        _skipUntil = _time.GetUtcNow() + _options.LeaseTime / 3;
        if (_status.MoveTo(SharedStateMode.Degraded, reason)) LogUnreachable(reason, _status.Replicas);
    }

    private void Recovered()
    {
        _skipUntil = default;
        if (!_status.MoveTo(SharedStateMode.Connected, null)) return;
        LogReachable();
        _ = ResubscribeThenRestoreAsync();
    }

    // A subscription that failed while Redis was away is made now; then every cache is read anew.
    private async Task ResubscribeThenRestoreAsync()
    {
        try
        {
            if (_multiplexer is { } multiplexer) await SubscribeAsync(multiplexer);
        }
        catch (RedisException e)
        {
            Failed(e.Message);
            return;
        }

        Restored?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer) await multiplexer.DisposeAsync();
        _connecting.Dispose();
        _subscribing.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared state: Redis is unreachable ({Reason}); this replica works on its local state with 1/{Replicas} of each mailbox's limits until Redis is back")]
    private partial void LogUnreachable(string reason, int replicas);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared state: Redis answers again; limits, tokens and health are shared again")]
    private partial void LogReachable();
}
