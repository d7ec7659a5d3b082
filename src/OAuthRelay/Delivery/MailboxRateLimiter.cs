using Microsoft.Extensions.Options;
using OAuthRelay.State;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Exchange Online's sending limits per mailbox, kept by the relay so that Exchange never has to refuse: at most
/// the transport's messages per minute (Upstream:MessagesPerMinute, or Upstream:Graph:MessagesPerMinute) in any
/// rolling minute and RecipientsPerDay recipients in any rolling 24 hours, across pass-through and queued mail, and
/// across the replicas when they share state. A send first reserves its place; a send that delivered nothing gives it
/// back.
/// </summary>
public sealed class MailboxRateLimiter(IRateWindows windows, IOptions<UpstreamOptions> options)
{
    /// <summary>
    /// A reservation for one message to <paramref name="recipients"/> recipients, or none with the time when the
    /// mailbox can take it (<see cref="RateDecision.DailyLimit"/> when the day's recipients are what is exhausted).
    /// </summary>
    public Task<RateDecision> TryReserveAsync(string mailbox, int messagesPerMinute, int recipients, CancellationToken cancellationToken) =>
        windows.TryReserveAsync(mailbox, recipients, new RateLimits(messagesPerMinute, options.Value.RecipientsPerDay), cancellationToken);

    /// <summary>Gives a reservation back: the send delivered nothing, so Exchange counted nothing.</summary>
    public Task ReleaseAsync(RateReservation reservation) => windows.ReleaseAsync(reservation, CancellationToken.None);

    /// <summary>The send was taken: it counts from now, when Exchange counted it.</summary>
    public Task DeliveredAsync(RateReservation reservation) => windows.DeliveredAsync(reservation, CancellationToken.None);
}
