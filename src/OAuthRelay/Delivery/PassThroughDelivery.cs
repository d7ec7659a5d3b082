using Microsoft.Extensions.Options;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;
using OAuthRelay.State;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Pass-through: the message is spooled while the client sends it, then sent in one go, and the client's reply to the
/// end of DATA is the upstream's verdict on the whole message, all or nothing (a refused recipient means nothing is
/// sent). The mailbox's rate is respected: a message waits up to PacingWait for its turn, then the client is told to
/// try again (451 4.7.0; 452 4.5.3 when the day's recipients are used up).
/// </summary>
internal sealed class PassThroughDelivery(MessageSpool spool, DeliveryTransports transports, MailboxRateLimiter limiter, IOptions<UpstreamOptions> options, TimeProvider time)
{
    public async Task<SmtpReply> DeliverAsync(Envelope envelope, UpstreamIdentity identity, Stream content, CancellationToken cancellationToken)
    {
        var spooled = await spool.WriteAsync(envelope, content, cancellationToken);
        try
        {
            var mailbox = DeliveryTransports.MailboxOf(identity);
            var (reservation, refusal) = await ReserveAsync(mailbox, transports.LimitsFor(identity).MessagesPerMinute, envelope.Recipients.Count, cancellationToken);
            if (reservation is null) return refusal!;
            var outcome = await transports.TransportFor(identity).SendAsync(spooled, identity, envelope.Recipients, allOrNothing: true, cancellationToken);
            if (!outcome.Sent)
            {
                await limiter.ReleaseAsync(reservation);
                return outcome.Reply;
            }

            await limiter.DeliveredAsync(reservation);
            return ReplyMapper.Accepted(envelope.Id, string.Join(" / ", outcome.Reply.Lines));
        }
        finally
        {
            spool.Discard(spooled);
        }
    }

    /// <summary>A place in the mailbox's rate, waiting up to PacingWait for it; else the reply that tells the client to come back.</summary>
    private async Task<(RateReservation? Reservation, SmtpReply? Refusal)> ReserveAsync(string mailbox, int messagesPerMinute, int recipients, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.PacingWait;
        while (true)
        {
            var (reservation, notBefore, recipientLimit) = await limiter.TryReserveAsync(mailbox, messagesPerMinute, recipients, cancellationToken);
            if (reservation is not null) return (reservation, null);
            if (notBefore > deadline)
            {
                return (null, recipientLimit
                    ? new SmtpReply(452, "4.5.3", "This mailbox has reached its daily recipient limit; try again later")
                    : new SmtpReply(451, "4.7.0", $"This mailbox may send only {messagesPerMinute} messages a minute; try again in {(int)Math.Ceiling((notBefore - time.GetUtcNow()).TotalSeconds)} s"));
            }

            var wait = notBefore - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken);
        }
    }
}
