using StackExchange.Redis;

namespace OAuthRelay.State.Redis;

/// <summary>
/// Versioned values as Redis hashes (field v: the version, field d: the bytes). Each write or delete is one script that
/// checks and raises the version and publishes the new one, so replicas holding a copy know to read again.
/// </summary>
internal sealed class RedisVersionedValues : IVersionedValues
{
    // ARGV: expected version (-1: any), value, channel, notice prefix. Returns {written 1/0, version now}.
    private const string WriteScript = """
        local version = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
        if ARGV[1] ~= '-1' and tonumber(ARGV[1]) ~= version then return {0, version} end
        version = version + 1
        redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2])
        redis.call('PUBLISH', ARGV[3], ARGV[4] .. version)
        return {1, version}
        """;

    // The version survives the value, so a writer that read before the delete cannot bring the value back.
    private const string DeleteScript = """
        local version = redis.call('HINCRBY', KEYS[1], 'v', 1)
        redis.call('HDEL', KEYS[1], 'd')
        redis.call('PUBLISH', ARGV[1], ARGV[2] .. version)
        return version
        """;

    private readonly RedisConnection _redis;

    public RedisVersionedValues(RedisConnection redis)
    {
        _redis = redis;
        redis.Received += notice =>
        {
            if (notice.Kind == SharedEvent.ValueChanged && long.TryParse(notice.Data, out var version)) Changed?.Invoke(notice.Name, version);
        };
        redis.Restored += () => Changed?.Invoke(string.Empty, null);
    }

    public event Action<string, long?>? Changed;

    public async Task<VersionedValue?> ReadAsync(string name)
    {
        var attempt = await _redis.TryAsync(db => db.HashGetAsync(Key(name), ["v", "d"]));
        if (!attempt.Ok) return null;
        var (version, value) = (attempt.Value[0], attempt.Value[1]);
        return new VersionedValue(version.IsNull ? 0 : (long)version, value.IsNull ? null : (byte[])value!);
    }

    public async Task<WriteResult> TryWriteAsync(string name, long expectedVersion, byte[] value)
    {
        var attempt = await _redis.TryAsync(db => db.ScriptEvaluateAsync(WriteScript, [Key(name)], [expectedVersion, value, _redis.Channel.ToString(), Notice(name)]));
        if (!attempt.Ok) return new WriteResult(WriteOutcome.Unavailable, expectedVersion);
        var result = (long[])attempt.Value!;
        return new WriteResult(result[0] == 1 ? WriteOutcome.Written : WriteOutcome.Conflict, result[1]);
    }

    public async Task<bool> WriteAsync(string name, byte[] value) => (await TryWriteAsync(name, -1, value)).Outcome == WriteOutcome.Written;

    public async Task<bool> DeleteAsync(string name) =>
        (await _redis.TryAsync(db => db.ScriptEvaluateAsync(DeleteScript, [Key(name)], [_redis.Channel.ToString(), Notice(name)]))).Ok;

    private RedisKey Key(string name) => _redis.Key($"value:{{{name}}}");

    private static string Notice(string name) => new SharedEvent(SharedEvent.ValueChanged, name, string.Empty).Format();
}
