using Microsoft.Extensions.Options;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;
using OAuthRelay.State;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Pass-through: the message is spooled while the client sends it (its place in the mailbox's rate asked for
/// meanwhile), then sent in one go, and the client's reply to the end of DATA is the upstream's verdict on the whole
/// message, all or nothing (a refused recipient means nothing is sent). The mailbox's rate is respected: a message waits up to PacingWait for its turn, then the client is told to
/// try again (451 4.7.0; 452 4.5.3 when the day's recipients are used up).
/// </summary>
internal sealed class PassThroughDelivery(MessageSpool spool, DeliveryTransports transports, MailboxRateLimiter limiter, IOptions<UpstreamOptions> options, TimeProvider time)
{
    /// <summary>How old a place may be when the content is all there; an older one is given back and asked for anew.</summary>
    private static readonly TimeSpan FreshReservation = TimeSpan.FromSeconds(10);

    public async Task<SmtpReply> DeliverAsync(Envelope envelope, UpstreamIdentity identity, Stream content, CancellationToken cancellationToken)
    {
        var mailbox = DeliveryTransports.MailboxOf(identity);
        var messagesPerMinute = transports.LimitsFor(identity).MessagesPerMinute;
        // The place is asked for while the content arrives: with shared state that is a Redis round trip the client
        // then does not wait for.
        var reserving = ReserveAsync(mailbox, messagesPerMinute, envelope.Recipients.Count, cancellationToken);
        SpooledMessage spooled;
        try
        {
            spooled = await spool.WriteAsync(envelope, content, cancellationToken);
        }
        catch
        {
            await GiveBackAsync(reserving);
            throw;
        }

        try
        {
            var (reservation, refusal) = await reserving;
            if (reservation is null) return refusal!;
            // A place taken long before the content was all there (a slow client) counts from too early: asked for anew.
            if (time.GetUtcNow() - reservation.At > FreshReservation)
            {
                await limiter.ReleaseAsync(reservation);
                (reservation, refusal) = await ReserveAsync(mailbox, messagesPerMinute, envelope.Recipients.Count, cancellationToken);
                if (reservation is null) return refusal!;
            }

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

    /// <summary>The place of a message whose content never arrived whole goes back to the mailbox.</summary>
    private async Task GiveBackAsync(Task<(RateReservation? Reservation, SmtpReply? Refusal)> reserving)
    {
        try
        {
            if ((await reserving).Reservation is { } reservation) await limiter.ReleaseAsync(reservation);
        }
        catch (OperationCanceledException)
        {
            // The client went away while the place was awaited: none was taken.
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
