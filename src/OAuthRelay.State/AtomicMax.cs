namespace OAuthRelay.State;

/// <summary>Raises a shared value to a later one without a lock: what one thread raised, another never lowers.</summary>
public static class AtomicMax
{
    public static void Raise(ref long value, long candidate)
    {
        for (var known = Interlocked.Read(ref value); candidate > known; known = Interlocked.Read(ref value))
            if (Interlocked.CompareExchange(ref value, candidate, known) == known) return;
    }
}
