using OAuthRelay.Clients;
using OAuthRelay.Connections;
using OAuthRelay.Listeners;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.Observability;

/// <summary>What GET /status shows: listeners, clients with their effective OAuth mode, token health, upstream pool use.</summary>
internal sealed class RelayStatus(MailListeners listeners, ClientRegistry clients, TokenService tokens, UpstreamSmtpPool pool, ConnectionLimiter limiter, TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>Ready: every listener bound and every account able to get tokens.</summary>
    public bool IsReady(out string reason)
    {
        var unhealthy = tokens.AllHealth().FirstOrDefault(h => h.State != Tokens.Health.TokenHealthState.Healthy);
        reason = !listeners.AllBound ? "listeners not bound yet" : unhealthy is not null ? unhealthy.ToString() : "ready";
        return listeners.AllBound && unhealthy is null;
    }

    public object Snapshot()
    {
        var usage = tokens.AllUsage().ToDictionary(u => u.Account);
        return new
        {
            started = _started,
            openConnections = limiter.OpenConnections,
            listeners = listeners.Bound.Select(l => new { name = l.Name, protocol = l.Protocol.ToString(), endpoint = l.EndPoint?.ToString(), tls = l.Tls.ToString() }),
            clients = clients.Clients.Select(c => new
            {
                name = c.Name,
                recognisedBy = c.UserName is not null ? "credentials" : "network",
                userName = c.UserName,
                account = c.Account,
                oauth = c.OAuth ? "on" : "off",
            }),
            accounts = tokens.AllHealth().Select(h => new
            {
                account = h.Account,
                state = h.State.ToString(),
                errorCode = h.ErrorCode,
                action = h.Action,
                since = h.Since,
                tokenExpires = usage.GetValueOrDefault(h.Account)?.ExpiresOn,
                tokenRequests = usage.GetValueOrDefault(h.Account)?.Requests ?? 0,
                tokenFailures = usage.GetValueOrDefault(h.Account)?.Failures ?? 0,
            }),
            upstream = pool.Usage().Select(p => new { identity = p.Identity, inUse = p.InUse, idle = p.Idle, max = p.Max }),
        };
    }
}
