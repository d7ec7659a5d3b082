using OAuthRelay.Clients;
using OAuthRelay.Connections;
using OAuthRelay.Listeners;
using OAuthRelay.State;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.Observability;

/// <summary>
/// What GET /status shows: listeners, clients with their effective OAuth and delivery modes, token health, the queue
/// per account, upstream pool use, and whether the replicas' shared state is in use. Degraded shared state does not
/// make the relay unready: it keeps delivering on its local state.
/// </summary>
internal sealed class RelayStatus(MailListeners listeners, ClientRegistry clients, TokenService tokens, UpstreamSmtpPool pool, ConnectionLimiter limiter, QueueSummary queue,
    SharedStateStatus sharedState)
{
    /// <summary>When this process started (not when the first status was asked for).</summary>
    private static readonly DateTimeOffset Started = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>
    /// Ready: every listener bound and every account usable (tokens obtained and accepted upstream). The reason lists
    /// every account that is not, one per line, with what to do. The queue never makes the relay unready: a relay
    /// taken out of service could not take the mail it exists to keep.
    /// </summary>
    public bool IsReady(out string reason)
    {
        var unusable = tokens.AllHealth().Where(h => h.State != Tokens.Health.TokenHealthState.Healthy).Select(h => h.ToString()).ToList();
        if (!listeners.AllBound) unusable.Insert(0, "listeners not bound yet");
        reason = unusable.Count == 0 ? "ready" : string.Join("\n", unusable);
        return unusable.Count == 0;
    }

    public object Snapshot()
    {
        var usage = tokens.AllUsage().ToDictionary(u => u.Account);
        return new
        {
            started = Started,
            openConnections = limiter.OpenConnections,
            listeners = listeners.Bound.Select(l => new { name = l.Name, protocol = l.Protocol.ToString(), endpoint = l.EndPoint?.ToString(), tls = l.Tls.ToString() }),
            clients = clients.Clients.Select(c => new
            {
                name = c.Name,
                recognisedBy = c.UserName is not null ? "credentials" : "network",
                userName = c.UserName,
                account = c.Account,
                oauth = c.OAuth ? "on" : "off",
                deliveryMode = c.DeliveryMode.ToString(),
            }),
            accounts = tokens.AllHealth().Select(h => new
            {
                account = h.Account,
                transport = tokens.Options(h.Account).Transport.ToString(),
                state = h.State.ToString(),
                errorCode = h.ErrorCode,
                action = h.Action,
                since = h.Since,
                signedInAs = usage.GetValueOrDefault(h.Account)?.SignedInAs,
                tokenExpires = usage.GetValueOrDefault(h.Account)?.ExpiresOn,
                tokenRequests = usage.GetValueOrDefault(h.Account)?.Requests ?? 0,
                // Failed token requests and tokens the upstream refused: both are tokens that did not work.
                tokenFailures = (usage.GetValueOrDefault(h.Account)?.Failures ?? 0) + (usage.GetValueOrDefault(h.Account)?.UpstreamRefusals ?? 0),
                upstreamRefusals = usage.GetValueOrDefault(h.Account)?.UpstreamRefusals ?? 0,
            }),
            queue = queue.ByAccount().Select(q => new
            {
                account = q.Account,
                queued = q.Queued,
                deferred = q.Deferred,
                held = q.Held,
                bytes = q.Bytes,
                oldestAgeSeconds = q.OldestAge is { } age ? Math.Round(age.TotalSeconds, 3) : (double?)null,
                pausedUntil = q.PausedUntil,
            }),
            upstream = pool.Usage().Select(p => new { identity = p.Identity, inUse = p.InUse, idle = p.Idle, max = p.Max }),
            sharedState = new { mode = sharedState.Mode.ToString(), since = sharedState.Since, reason = sharedState.Reason, replicas = sharedState.Replicas, roundTrips = sharedState.RoundTrips },
        };
    }
}
