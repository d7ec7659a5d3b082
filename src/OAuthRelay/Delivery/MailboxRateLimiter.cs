using Microsoft.Extensions.Options;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Exchange Online's sending limits per mailbox, kept by the relay so that Exchange never has to refuse: at most
/// the transport's messages per minute (Upstream:MessagesPerMinute, or Upstream:Graph:MessagesPerMinute) in any
/// rolling minute and RecipientsPerDay recipients in any rolling 24 hours, across pass-through and queued mail. A send first reserves its place; a send that delivered nothing gives it back.
/// </summary>
public sealed class MailboxRateLimiter(IOptions<UpstreamOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly Dictionary<string, Window> _mailboxes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A reservation for one message to <paramref name="recipients"/> recipients, or null with the time when the
    /// mailbox can take it (<paramref name="recipientLimit"/> when the daily recipients are what is exhausted).
    /// </summary>
    public Reservation? TryReserve(string mailbox, int messagesPerMinute, int recipients, out DateTimeOffset notBefore, out bool recipientLimit)
    {
        var now = time.GetUtcNow();
        lock (_mailboxes)
        {
            if (!_mailboxes.TryGetValue(mailbox, out var window)) _mailboxes[mailbox] = window = new Window();
            window.Forget(now);
            recipientLimit = window.Recipients + recipients > options.Value.RecipientsPerDay;
            notBefore = recipientLimit ? window.WhenRecipientsFree(recipients, options.Value.RecipientsPerDay)
                : window.Messages.Count >= messagesPerMinute ? window.Messages.Peek() + Minute
                : now;
            if (notBefore > now) return null;
            var reservation = new Reservation(mailbox, now, recipients);
            window.Add(reservation);
            return reservation;
        }
    }

    /// <summary>Gives a reservation back: the send delivered nothing, so Exchange counted nothing.</summary>
    public void Release(Reservation reservation)
    {
        lock (_mailboxes)
        {
            if (_mailboxes.TryGetValue(reservation.Mailbox, out var window)) window.Remove(reservation);
        }
    }

    /// <summary>
    /// The send was taken: it counts from now. Exchange counts a message when it arrives, a moment to seconds after its
    /// place was reserved, so a window counted from the reservations alone could hold one arrival too many.
    /// </summary>
    public void Delivered(Reservation reservation)
    {
        lock (_mailboxes)
        {
            if (!_mailboxes.TryGetValue(reservation.Mailbox, out var window)) return;
            window.Remove(reservation);
            window.Add(reservation with { At = time.GetUtcNow() });
        }
    }

    /// <summary>One send counted against a mailbox.</summary>
    public sealed record Reservation(string Mailbox, DateTimeOffset At, int Recipients);

    private sealed class Window
    {
        public Queue<DateTimeOffset> Messages { get; } = new();

        private readonly LinkedList<Reservation> _day = new();

        public int Recipients { get; private set; }

        public void Forget(DateTimeOffset now)
        {
            while (Messages.Count > 0 && Messages.Peek() + Minute <= now) Messages.Dequeue();
            while (_day.First is { } oldest && oldest.Value.At + Day <= now)
            {
                Recipients -= oldest.Value.Recipients;
                _day.RemoveFirst();
            }
        }

        public void Add(Reservation reservation)
        {
            Messages.Enqueue(reservation.At);
            _day.AddLast(reservation);
            Recipients += reservation.Recipients;
        }

        public void Remove(Reservation reservation)
        {
            if (!_day.Remove(reservation)) return;
            Recipients -= reservation.Recipients;
            var kept = Messages.ToList();
            kept.Remove(reservation.At);
            Messages.Clear();
            foreach (var at in kept) Messages.Enqueue(at);
        }

        /// <summary>When enough of the last day's recipients have aged out for <paramref name="needed"/> more.</summary>
        public DateTimeOffset WhenRecipientsFree(int needed, int limit)
        {
            var over = Recipients + needed - limit;
            foreach (var reservation in _day)
            {
                over -= reservation.Recipients;
                if (over <= 0) return reservation.At + Day;
            }

            return DateTimeOffset.MaxValue; // more recipients than a whole day allows
        }
    }
}
