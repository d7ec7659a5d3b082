using OAuthRelay.Bench;

// On demand: dotnet run -c Release --project bench/OAuthRelay.Bench [-- engine|relay|mailbox|graph]
// Servers run in child processes of this executable ("serve ..."), so their memory and CPU are their own.
switch (args)
{
    case ["serve", "baseline"]:
        using (var sink = new BaselineSink()) await Child.ServeUntilClosedAsync(sink.EndPoint);
        break;
    case ["serve", "engine"]:
        var (engine, cleartext, startTls) = await BenchServers.StartEngineAsync();
        await Child.ServeUntilClosedAsync(cleartext, startTls);
        await engine.StopAsync();
        break;
    case ["serve", "relay", .. var relayArgs]:
        var (relay, listener, dataFolder) = await BenchServers.StartUpstreamRelayAsync(relayArgs);
        await Child.ServeUntilClosedAsync(listener);
        await relay.StopAsync();
        await relay.DisposeAsync(); // the queue's lock is released before its folder goes
        Directory.Delete(dataFolder, recursive: true);
        break;
    case ["serve", "mailbox", .. var mailboxArgs]:
        var (proxy, imap, imaps) = await BenchServers.StartMailboxProxyAsync(mailboxArgs);
        await Child.ServeUntilClosedAsync(imap, imaps);
        await proxy.StopAsync();
        break;
    default:
        Console.WriteLine("# OAuthRelay benchmarks");
        Console.WriteLine();
        if (args is [] or ["engine"]) await EngineBenchmark.RunAsync();
        if (args is [] or ["relay"]) await RelayBenchmark.RunAsync();
        if (args is [] or ["mailbox"]) await MailboxBenchmark.RunAsync();
        if (args is [] or ["graph"]) await GraphBenchmark.RunAsync();
        break;
}
