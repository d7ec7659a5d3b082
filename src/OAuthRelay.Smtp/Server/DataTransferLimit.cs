namespace OAuthRelay.Smtp.Server;

/// <summary>
/// The time a DATA transfer may take: each read may wait up to the data timeout, and the whole transfer may last the
/// data timeout plus one second per <c>minRate</c> bytes received. A stalled client and one trickling bytes to hold
/// the connection both end with 421 4.4.2; a slow but steady one finishes.
/// </summary>
internal sealed class DataTransferLimit(TimeSpan dataTimeout, int minRate, TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    /// <summary>How long the next read may wait, after <paramref name="received"/> bytes.</summary>
    public TimeSpan NextRead(long received)
    {
        var allowed = dataTimeout + TimeSpan.FromTicks(received * TimeSpan.TicksPerSecond / Math.Max(1, minRate));
        var left = allowed - time.GetElapsedTime(_started);
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < dataTimeout ? left : dataTimeout;
    }
}
