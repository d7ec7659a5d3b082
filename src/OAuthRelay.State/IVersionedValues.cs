namespace OAuthRelay.State;

/// <summary>
/// Named values shared by the replicas, each with a version that every write and delete raises, so a writer can
/// insist that nobody wrote since it read (optimistic concurrency). Only with shared state (Redis).
/// </summary>
public interface IVersionedValues
{
    /// <summary>The value and its version (no value: never written, or deleted); null when Redis cannot be asked.</summary>
    Task<VersionedValue?> ReadAsync(string name);

    /// <summary>Writes only if the version is still <paramref name="expectedVersion"/>.</summary>
    Task<WriteResult> TryWriteAsync(string name, long expectedVersion, byte[] value);

    /// <summary>Writes whatever the version (last writer wins); false when Redis cannot be asked.</summary>
    Task<bool> WriteAsync(string name, byte[] value);

    /// <summary>Removes the value (its version still rises); false when Redis cannot be asked.</summary>
    Task<bool> DeleteAsync(string name);

    /// <summary>A value was written or deleted (by any replica) and has this version now; null: after an outage, any may have.</summary>
    event Action<string, long?>? Changed;
}

public sealed record VersionedValue(long Version, byte[]? Value);

/// <summary>What became of a conditional write.</summary>
public enum WriteOutcome
{
    Written,

    /// <summary>Someone wrote since the expected version: nothing was written.</summary>
    Conflict,

    /// <summary>Redis could not be asked: nothing was written.</summary>
    Unavailable,
}

public readonly record struct WriteResult(WriteOutcome Outcome, long Version);
