using Microsoft.Extensions.Options;
using OAuthRelay.Queue;
using OAuthRelay.Tokens;

namespace OAuthRelay.Observability;

/// <summary>
/// The queue per account, read when asked (/status, /health, a metrics scrape): every configured account, even with
/// nothing queued, and any other account a queued message names.
/// </summary>
/// <remarks>
/// Held messages do not count towards the oldest age: holding one is an operator's decision, not a delivery problem.
/// </remarks>
internal sealed class QueueSummary(QueueManager queue, TokenService tokens, IOptions<QueueOptions> options, TimeProvider time)
{
    /// <summary>Stands for the account of messages that have none (a network client with OAuth off).</summary>
    public const string NoAccount = "-";

    public IReadOnlyList<AccountQueue> ByAccount()
    {
        var now = time.GetUtcNow();
        var entries = queue.Entries().ToLookup(e => e.Envelope.Account ?? NoAccount, StringComparer.OrdinalIgnoreCase);
        var accounts = tokens.AccountNames.Concat(entries.Select(g => g.Key).Where(a => !tokens.AccountNames.Contains(a, StringComparer.OrdinalIgnoreCase)));
        return accounts.Select(account =>
        {
            var messages = entries[account].ToList();
            var waiting = messages.Where(e => !e.Held).Select(e => now - e.Envelope.Received).ToList();
            return new AccountQueue(
                account,
                messages.Count(e => QueueStates.Of(e, now) == QueueStates.Queued),
                messages.Count(e => QueueStates.Of(e, now) == QueueStates.Deferred),
                messages.Count(e => e.Held),
                messages.Sum(e => e.Envelope.Size),
                waiting.Count > 0 ? waiting.Max() : null,
                queue.PausedUntil(account == NoAccount ? null : account));
        }).ToList();
    }

    /// <summary>One warning per account whose oldest message (not held) has waited longer than Queue:WarnAge.</summary>
    public IReadOnlyList<string> AgeWarnings()
    {
        var limit = options.Value.WarnAge;
        return ByAccount().Where(a => a.OldestAge > limit)
            .Select(a => $"Queue: the oldest message of account {a.Account} has waited {TimeSpan.FromSeconds(Math.Floor(a.OldestAge!.Value.TotalSeconds))}, longer than Queue:WarnAge ({limit})")
            .ToList();
    }
}
