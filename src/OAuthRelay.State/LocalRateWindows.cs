namespace OAuthRelay.State;

/// <summary>The rate windows of this process: all of them for one relay, or a replica's own while Redis is away.</summary>
public sealed class LocalRateWindows(TimeProvider time) : IRateWindows
{
    internal static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly Dictionary<string, Window> _windows = new(StringComparer.OrdinalIgnoreCase);

    public Task<RateDecision> TryReserveAsync(string key, int weight, RateLimits limits, CancellationToken cancellationToken) =>
        Task.FromResult(TryReserve(key, weight, limits, Guid.NewGuid().ToString("N")));

    public Task ReleaseAsync(RateReservation reservation, CancellationToken cancellationToken)
    {
        Release(reservation);
        return Task.CompletedTask;
    }

    public Task DeliveredAsync(RateReservation reservation, CancellationToken cancellationToken)
    {
        Delivered(reservation);
        return Task.CompletedTask;
    }

    internal RateDecision TryReserve(string key, int weight, RateLimits limits, string id)
    {
        var now = time.GetUtcNow();
        lock (_windows)
        {
            if (!_windows.TryGetValue(key, out var window)) _windows[key] = window = new Window();
            window.Forget(now);
            var dailyLimit = window.Weight + weight > limits.WeightPerDay;
            var notBefore = dailyLimit ? window.WhenWeightFree(weight, limits.WeightPerDay)
                : window.Count >= limits.PerMinute ? window.OldestInMinute + Minute
                : now;
            if (notBefore > now) return new RateDecision(null, notBefore, dailyLimit);
            var reservation = new RateReservation(key, id, now, weight);
            window.Add(reservation);
            return new RateDecision(reservation, now, false);
        }
    }

    /// <summary>Counts a reservation made elsewhere (in Redis), so that this replica knows its own recent sends.</summary>
    internal void Add(RateReservation reservation)
    {
        lock (_windows)
        {
            if (!_windows.TryGetValue(reservation.Key, out var window)) _windows[reservation.Key] = window = new Window();
            window.Forget(time.GetUtcNow());
            window.Add(reservation);
        }
    }

    internal void Release(RateReservation reservation)
    {
        lock (_windows)
        {
            if (_windows.TryGetValue(reservation.Key, out var window)) window.Remove(reservation.Id);
        }
    }

    internal void Delivered(RateReservation reservation)
    {
        lock (_windows)
        {
            if (!_windows.TryGetValue(reservation.Key, out var window) || !window.Remove(reservation.Id)) return;
            window.Add(reservation with { At = time.GetUtcNow() });
        }
    }

    /// <summary>
    /// The last minute's and the last day's reservations in the order they count, with an index by id: a day of a busy
    /// mailbox holds many thousands, and each send looks its own one up again when it is delivered or given back.
    /// </summary>
    private sealed class Window
    {
        private readonly LinkedList<RateReservation> _minute = new();
        private readonly LinkedList<RateReservation> _day = new();
        private readonly Dictionary<string, LinkedListNode<RateReservation>> _inMinute = new();
        private readonly Dictionary<string, LinkedListNode<RateReservation>> _inDay = new();

        /// <summary>Reservations in the last minute.</summary>
        public int Count => _minute.Count;

        /// <summary>Weight of the reservations in the last day.</summary>
        public int Weight { get; private set; }

        public DateTimeOffset OldestInMinute => _minute.First!.Value.At;

        public void Forget(DateTimeOffset now)
        {
            while (_minute.First is { } oldest && oldest.Value.At + Minute <= now)
            {
                _inMinute.Remove(oldest.Value.Id);
                _minute.RemoveFirst();
            }

            while (_day.First is { } oldest && oldest.Value.At + Day <= now)
            {
                Weight -= oldest.Value.Weight;
                _inDay.Remove(oldest.Value.Id);
                _day.RemoveFirst();
            }
        }

        public void Add(RateReservation reservation)
        {
            _inMinute[reservation.Id] = _minute.AddLast(reservation);
            _inDay[reservation.Id] = _day.AddLast(reservation);
            Weight += reservation.Weight;
        }

        /// <summary>False when it is not counted (given back, or a day old).</summary>
        public bool Remove(string id)
        {
            if (!_inDay.Remove(id, out var inDay)) return false;
            Weight -= inDay.Value.Weight;
            _day.Remove(inDay);
            if (_inMinute.Remove(id, out var inMinute)) _minute.Remove(inMinute);
            return true;
        }

        /// <summary>When enough of the last day's weight has aged out for <paramref name="needed"/> more.</summary>
        public DateTimeOffset WhenWeightFree(int needed, int limit)
        {
            var over = Weight + needed - limit;
            foreach (var reservation in _day)
            {
                over -= reservation.Weight;
                if (over <= 0) return reservation.At + Day;
            }

            return DateTimeOffset.MaxValue; // more than a whole day allows
        }
    }
}
