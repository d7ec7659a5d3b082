using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>Keeps every log line the relay writes, so tests can assert what was (and was not) logged.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _gate = new();
    private readonly List<(string Fragment, int Count, TaskCompletionSource<string> Found)> _waiters = [];

    public IReadOnlyCollection<string> Lines => _lines;

    public string All => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The first line containing <paramref name="fragment"/>, logged already or when it comes (bounded in time).</summary>
    public Task<string> WaitForLineAsync(string fragment) => WaitForLineAsync(fragment, 1);

    /// <summary>The <paramref name="count"/>-th line containing <paramref name="fragment"/>, logged already or when it comes (bounded in time).</summary>
    public Task<string> WaitForLineAsync(string fragment, int count)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.Where(l => l.Contains(fragment)).Skip(count - 1).FirstOrDefault() is { } line) return Task.FromResult(line);
            _waiters.Add((fragment, count, found));
        }

        return found.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>How many lines contain <paramref name="fragment"/>.</summary>
    public int Count(string fragment) => _lines.Count(l => l.Contains(fragment));

    /// <summary>Keeps a line written elsewhere (a child process's console).</summary>
    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Fragment) && Count(w.Fragment) >= w.Count).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
