using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Bench;
using OAuthRelay.State;

// On demand: dotnet run -c Release --project bench/OAuthRelay.Bench [-- engine|relay|queue|mailbox|graph|redis [throughput|tokens]]
// Servers run in child processes of this executable ("serve ..."), so their memory and CPU are their own.
switch (args)
{
    case ["serve", "baseline"]:
        using (var sink = new BaselineSink()) await Child.ServeUntilClosedAsync(null, sink.EndPoint);
        break;
    case ["serve", "engine"]:
        var (engine, cleartext, startTls) = await BenchServers.StartEngineAsync();
        await Child.ServeUntilClosedAsync(null, cleartext, startTls);
        await engine.StopAsync();
        break;
    case ["serve", "relay", .. var relayArgs]:
        var (relay, listener, dataFolder) = await BenchServers.StartUpstreamRelayAsync(relayArgs);
        await Child.ServeUntilClosedAsync(relay.Services.GetRequiredService<SharedStateStatus>(), listener);
        await relay.StopAsync();
        await relay.DisposeAsync(); // the queue's lock is released before its folder goes
        Directory.Delete(dataFolder, recursive: true);
        break;
    case ["serve", "mailbox", .. var mailboxArgs]:
        var (proxy, imap, imaps) = await BenchServers.StartMailboxProxyAsync(mailboxArgs);
        await Child.ServeUntilClosedAsync(null, imap, imaps);
        await proxy.StopAsync();
        break;
    default:
        Console.WriteLine("# OAuthRelay benchmarks");
        Console.WriteLine();
        if (args is [] or ["engine"]) await EngineBenchmark.RunAsync();
        if (args is [] or ["relay"]) await RelayBenchmark.RunAsync();
        if (args is ["queue"]) await QueueDrainBenchmark.RunAsync(); // also the last part of "relay"
        if (args is [] or ["mailbox"]) await MailboxBenchmark.RunAsync();
        if (args is [] or ["graph"]) await GraphBenchmark.RunAsync();
        if (args is [] or ["redis", ..]) await SharedStateBenchmark.RunAsync(throughput: args is not [_, "tokens"], tokens: args is not [_, "throughput"]);
        break;
}
