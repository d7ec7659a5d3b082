namespace OAuthRelay.Upstream;

/// <summary>The use of one pooled upstream connection for one client transaction; disposing gives it back.</summary>
internal sealed class UpstreamLease(IdentityConnectionPool pool, UpstreamConnection connection) : IAsyncDisposable
{
    private bool _broken;
    private int _returned;

    public UpstreamConnection Connection { get; } = connection;

    public PassThroughSmtpClient Client => Connection.Client;

    /// <summary>After a network or protocol failure the connection is closed instead of pooled.</summary>
    public void MarkBroken() => _broken = true;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0) await pool.ReturnAsync(Connection, reusable: !_broken);
    }
}
