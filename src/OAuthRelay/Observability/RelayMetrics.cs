using OAuthRelay.Connections;
using OAuthRelay.Queue;
using OAuthRelay.State;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;
using Prometheus;

namespace OAuthRelay.Observability;

/// <summary>
/// The relay's Prometheus metrics, in a registry of its own (one per relay, so tests in one process do not mix).
/// Counters the relay drives are updated as things happen (delivery attempts as the queue records them); gauges and
/// the token counters are read at scrape time.
/// </summary>
public sealed class RelayMetrics
{
    private readonly Counter _messages;
    private readonly Histogram _messageSize;
    private readonly Histogram _relayDuration;
    private readonly Counter _mailboxSessions;
    private readonly Counter _mailboxBytes;

    private static readonly string[] AttemptResults = [DeliveryAttempt.Delivered, DeliveryAttempt.Deferred, DeliveryAttempt.Bounced, DeliveryAttempt.Expired];

    internal RelayMetrics(ConnectionLimiter limiter, TokenService tokens, UpstreamSmtpPool pool, QueueManager queue, QueueSummary queueSummary, SharedStateStatus sharedState)
    {
        var metrics = Metrics.WithCustomRegistry(Registry);
        _messages = metrics.CreateCounter("oauthrelay_messages_total",
            "Messages finished or refused, by client, the step that decided (MAIL, RCPT, DATA) and the reply class the client got (2xx relayed, 4xx temporary, 5xx refused).",
            "client", "stage", "reply_class");
        _messageSize = metrics.CreateHistogram("oauthrelay_message_size_bytes", "Size of each message received.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1024, 4, 10) });
        _relayDuration = metrics.CreateHistogram("oauthrelay_relay_duration_seconds", "From the end of the client's DATA to the reply (upstream included).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _mailboxSessions = metrics.CreateCounter("oauthrelay_mailbox_sessions_total", "IMAP and POP3 sessions spliced to the upstream and ended.", "protocol");
        _mailboxBytes = metrics.CreateCounter("oauthrelay_mailbox_bytes_total", "Bytes spliced, by protocol and direction.", "protocol", "direction");
        var openConnections = metrics.CreateGauge("oauthrelay_open_connections", "Client connections open on all listeners.");
        var tokenRequests = metrics.CreateCounter("oauthrelay_token_requests_total", "Token requests to Entra ID (through MSAL), by account.", "account");
        var tokenFailures = metrics.CreateCounter("oauthrelay_token_failures_total", "Failed token requests, by account.", "account");
        var upstreamRefusals = metrics.CreateCounter("oauthrelay_upstream_token_refusals_total", "Tokens the mail upstream refused even after a fresh one, by account.", "account");
        var tokenHealthy = metrics.CreateGauge("oauthrelay_token_healthy", "1 when the account can get tokens, 0 when it needs attention.", "account");
        var upstreamConnections = metrics.CreateGauge("oauthrelay_upstream_connections", "Upstream SMTP connections, by identity and state (in_use, idle).", "identity", "state");

        var queueMessages = metrics.CreateGauge("oauthrelay_queue_messages",
            "Queued messages, by account and state: queued (due now, or being sent), deferred (waiting for a retry), held (by an operator).",
            "account", "state");
        var queueOldestAge = metrics.CreateGauge("oauthrelay_queue_oldest_age_seconds", "Age of the oldest queued message that is not held, by account (0: none).", "account");
        var deliveryAttempts = metrics.CreateCounter("oauthrelay_delivery_attempts_total",
            "Delivery attempts of queued messages, by account and result (delivered, deferred, bounced, expired).", "account", "result");
        var sharedDegraded = metrics.CreateGauge("oauthrelay_shared_state_degraded", "1 while Redis (State:Redis) is unreachable and this replica works on its share of the limits; 0 otherwise.");
        var sharedRoundTrips = metrics.CreateCounter("oauthrelay_shared_state_round_trips_total", "Commands and scripts sent to Redis (State:Redis), each one round trip.");
        foreach (var account in tokens.AccountNames)
            foreach (var result in AttemptResults) deliveryAttempts.WithLabels(account, result); // present at zero, so rates start at once
        queue.Attempted += attempt => deliveryAttempts.WithLabels(attempt.Account, attempt.Result).Inc();

        Registry.AddBeforeCollectCallback(() =>
        {
            openConnections.Set(limiter.OpenConnections);
            sharedDegraded.Set(sharedState.Mode == SharedStateMode.Degraded ? 1 : 0);
            sharedRoundTrips.IncTo(sharedState.RoundTrips);
            foreach (var usage in tokens.AllUsage())
            {
                tokenRequests.WithLabels(usage.Account).IncTo(usage.Requests);
                tokenFailures.WithLabels(usage.Account).IncTo(usage.Failures);
                upstreamRefusals.WithLabels(usage.Account).IncTo(usage.UpstreamRefusals);
            }

            foreach (var health in tokens.AllHealth()) tokenHealthy.WithLabels(health.Account).Set(health.State == Tokens.Health.TokenHealthState.Healthy ? 1 : 0);
            foreach (var usage in pool.Usage())
            {
                upstreamConnections.WithLabels(usage.Identity, "in_use").Set(usage.InUse);
                upstreamConnections.WithLabels(usage.Identity, "idle").Set(usage.Idle);
            }

            // An account that left the summary (its last message gone, the account no longer configured) reads zero.
            foreach (var labels in queueMessages.GetAllLabelValues()) queueMessages.WithLabels(labels).Set(0);
            foreach (var labels in queueOldestAge.GetAllLabelValues()) queueOldestAge.WithLabels(labels).Set(0);
            foreach (var account in queueSummary.ByAccount())
            {
                queueMessages.WithLabels(account.Account, QueueStates.Queued).Set(account.Queued);
                queueMessages.WithLabels(account.Account, QueueStates.Deferred).Set(account.Deferred);
                queueMessages.WithLabels(account.Account, QueueStates.Held).Set(account.Held);
                queueOldestAge.WithLabels(account.Account).Set(account.OldestAge?.TotalSeconds ?? 0);
            }
        });
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>A message (or a recipient of it) refused before its content was taken.</summary>
    public void MessageRefused(string client, string stage, int replyCode) => _messages.WithLabels(client, stage, $"{replyCode / 100}xx").Inc();

    /// <summary>A message whose content was taken, with the reply to the end of DATA.</summary>
    public void MessageFinished(string client, int replyCode, long size, TimeSpan duration)
    {
        _messages.WithLabels(client, "DATA", $"{replyCode / 100}xx").Inc();
        _messageSize.Observe(size);
        _relayDuration.Observe(duration.TotalSeconds);
    }

    public void MailboxSessionEnded(string protocol, long bytesFromClient, long bytesToClient)
    {
        _mailboxSessions.WithLabels(protocol).Inc();
        _mailboxBytes.WithLabels(protocol, "from_client").Inc(bytesFromClient);
        _mailboxBytes.WithLabels(protocol, "to_client").Inc(bytesToClient);
    }
}
