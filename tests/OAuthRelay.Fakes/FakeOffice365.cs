using System.Collections.Concurrent;
using System.Text;

namespace OAuthRelay.Fakes;

/// <summary>
/// A fake Office 365 submission server on 127.0.0.1 (port 0): STARTTLS with a test certificate, Office 365's EHLO,
/// AUTH LOGIN and XOAUTH2 only after TLS (XOAUTH2 tokens checked against the fake Entra ID, user must match),
/// records each message's envelope, exact bytes and time of arrival, counts connections per user, and can be told to
/// fail.
/// </summary>
public sealed class FakeOffice365(FakeEntraId entra) : FakeServer
{
    private readonly ConcurrentDictionary<string, int> _open = new();
    private readonly ConcurrentDictionary<string, int> _maxOpen = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public sealed record Received(string From, IReadOnlyList<string> To, byte[] Content, string AuthenticatedAs, string Mechanism, DateTimeOffset At);

    /// <summary>The messages taken (answered 250), in order of arrival.</summary>
    public ConcurrentQueue<Received> Messages { get; } = new();

    /// <summary>Every message whose content arrived, with the reply it got (250 or the <see cref="Verdict"/>).</summary>
    public ConcurrentQueue<(Received Message, string Reply)> Attempts { get; } = new();

    /// <summary>The clock that stamps arrivals (a test's fake clock for rates).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>When set and it returns a reply for a message, the end of DATA gets that reply instead of 250.</summary>
    public Func<Received, string?>? Verdict { get; set; }

    /// <summary>
    /// When set, runs once a message is taken and before its 250 is written: a test may kill the sender there, as if
    /// the 250 was lost on the way.
    /// </summary>
    public Func<Received, Task>? BeforeAcknowledging { get; set; }

    /// <summary>Basic (AUTH LOGIN) users and passwords, for clients whose OAuth is switched off.</summary>
    public Dictionary<string, string> BasicUsers { get; } = [];

    /// <summary>When set, answers every AUTH XOAUTH2 with this reply (e.g. "535 5.7.3 Authentication unsuccessful").</summary>
    public string? XOAuth2Reply { get; set; }

    /// <summary>The SASL mechanisms offered after STARTTLS (Office 365's: LOGIN and XOAUTH2).</summary>
    public string AuthMechanisms { get; set; } = "LOGIN XOAUTH2";

    /// <summary>Recipients whose RCPT gets 550 5.1.10.</summary>
    public HashSet<string> UnknownRecipients { get; } = [];

    /// <summary>Recipients whose RCPT gets a temporary 451 4.4.0 (their domain unreachable for now).</summary>
    public HashSet<string> DeferredRecipients { get; } = [];

    /// <summary>When set, closes the connection after this many bytes of DATA.</summary>
    public int? DropAfterDataBytes { get; set; }

    public int MailCommands;

    /// <summary>Waits (at most 60 s) until at least <paramref name="count"/> messages were taken.</summary>
    public async Task WaitForMessagesAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Messages.Count < count) await _arrived.WaitAsync(timeout.Token);
    }

    /// <summary>The most connections one authenticated user had open at once (a connection counts until its QUIT or its end).</summary>
    public int MaxConcurrentConnections(string user) => _maxOpen.GetValueOrDefault(user);

    protected override async Task ServeAsync(Stream connection)
    {
        string? user = null;
        var io = new FakeLineConnection(connection);
        try
        {
            await io.WriteLineAsync("220 FAKE.prod.outlook.com Microsoft ESMTP MAIL Service ready");
            string? from = null;
            var to = new List<string>();
            var mechanism = "";
            while (await io.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        var extensions = new List<string> { "FAKE.prod.outlook.com Hello", "SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES" };
                        if (!io.IsSecure) extensions.Add("STARTTLS");
                        else extensions.Add("AUTH " + AuthMechanisms);
                        extensions.AddRange(["8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"]);
                        await io.WriteLineAsync(string.Join("\r\n", extensions.Select((e, i) => $"250{(i == extensions.Count - 1 ? ' ' : '-')}{e}")));
                        break;
                    case "STARTTLS":
                        await io.WriteLineAsync("220 2.0.0 SMTP server ready");
                        await io.StartTlsAsync(Certificate);
                        break;
                    case "AUTH" when !io.IsSecure:
                        await io.WriteLineAsync("504 5.7.4 Unrecognized authentication type");
                        break;
                    case "AUTH":
                        (user, mechanism) = await AuthenticateAsync(io, line);
                        if (user is not null)
                        {
                            var open = _open.AddOrUpdate(user, 1, (_, n) => n + 1);
                            _maxOpen.AddOrUpdate(user, open, (_, max) => Math.Max(max, open));
                        }

                        break;
                    case "MAIL" when user is null:
                        await io.WriteLineAsync("530 5.7.57 Client not authenticated to send mail.");
                        break;
                    case "MAIL":
                        Interlocked.Increment(ref MailCommands);
                        from = Path(line);
                        to.Clear();
                        await io.WriteLineAsync("250 2.1.0 Sender OK");
                        break;
                    case "RCPT" when UnknownRecipients.Contains(Path(line)):
                        await io.WriteLineAsync("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup");
                        break;
                    case "RCPT" when DeferredRecipients.Contains(Path(line)):
                        await io.WriteLineAsync("451 4.4.0 DNS query failed. The error was: SMTPSEND.DNS.NonExistentDomain; try again later");
                        break;
                    case "RCPT":
                        to.Add(Path(line));
                        await io.WriteLineAsync("250 2.1.5 Recipient OK");
                        break;
                    case "DATA":
                        await io.WriteLineAsync("354 Start mail input; end with <CRLF>.<CRLF>");
                        var content = await ReadDataAsync(io, DropAfterDataBytes);
                        if (content is null) return; // dropped mid-DATA
                        var received = new Received(from!, [.. to], content, user!, mechanism, Clock.GetUtcNow());
                        if (Verdict?.Invoke(received) is { } refusal)
                        {
                            Attempts.Enqueue((received, refusal));
                            await io.WriteLineAsync(refusal);
                            break;
                        }

                        var accepted = $"250 2.0.0 OK <{Guid.NewGuid()}@FAKE.prod.outlook.com> [Hostname=FAKE]";
                        Attempts.Enqueue((received, accepted));
                        Messages.Enqueue(received);
                        _arrived.Release();
                        if (BeforeAcknowledging is { } hook) await hook(received);
                        await io.WriteLineAsync(accepted);
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await io.WriteLineAsync("250 2.0.0 Resetting");
                        break;
                    case "NOOP":
                        await io.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        // The client has given the connection up: it no longer counts, however late this side closes.
                        if (user is not null) _open.AddOrUpdate(user, 0, (_, n) => n - 1);
                        user = null;
                        await io.WriteLineAsync("221 2.0.0 Service closing transmission channel");
                        return;
                    default:
                        await io.WriteLineAsync("500 5.3.3 Unrecognized command");
                        break;
                }
            }
        }
        finally
        {
            if (user is not null) _open.AddOrUpdate(user, 0, (_, n) => n - 1);
        }
    }

    private async Task<(string? User, string Mechanism)> AuthenticateAsync(FakeLineConnection io, string line)
    {
        var words = line.Split(' ');
        var mechanism = words.Length > 1 ? words[1].ToUpperInvariant() : "";
        if (mechanism == "XOAUTH2")
        {
            var response = words.Length > 2 ? words[2] : await ChallengeAsync(io, "");
            var (user, token) = XOAuth2Response.Parse(response);
            if (XOAuth2Reply is { } refused || !entra.IsValidAccessToken(token, user))
            {
                await io.WriteLineAsync(XOAuth2Reply ?? "535 5.7.3 Authentication unsuccessful [FAKE.prod.outlook.com]");
                return (null, mechanism);
            }

            await io.WriteLineAsync("235 2.7.0 Authentication successful");
            return (user, mechanism);
        }

        if (mechanism == "LOGIN")
        {
            var name = Encoding.UTF8.GetString(Convert.FromBase64String(words.Length > 2 ? words[2] : await ChallengeAsync(io, "VXNlcm5hbWU6")));
            var password = Encoding.UTF8.GetString(Convert.FromBase64String(await ChallengeAsync(io, "UGFzc3dvcmQ6")));
            if (BasicUsers.TryGetValue(name, out var expected) && expected == password)
            {
                await io.WriteLineAsync("235 2.7.0 Authentication successful");
                return (name, mechanism);
            }

            await io.WriteLineAsync("535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.");
            return (null, mechanism);
        }

        await io.WriteLineAsync("504 5.7.4 Unrecognized authentication type");
        return (null, mechanism);
    }

    private static async Task<string> ChallengeAsync(FakeLineConnection io, string challenge)
    {
        await io.WriteLineAsync("334 " + challenge);
        return await io.ReadLineAsync() ?? throw new IOException("closed during AUTH");
    }

    private static string Path(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>', start + 1);
        return line[(start + 1)..end];
    }

    /// <summary>The message content up to CRLF.CRLF, dot-unstuffed; null if dropped after <paramref name="dropAfter"/> bytes.</summary>
    private static async Task<byte[]?> ReadDataAsync(FakeLineConnection io, int? dropAfter)
    {
        var content = new MemoryStream();
        while (await io.ReadRawLineAsync() is { } line)
        {
            if (line.Length == 3 && line[0] == '.' && line[1] == '\r') return content.ToArray();
            var skip = line[0] == '.' ? 1 : 0;
            content.Write(line, skip, line.Length - skip);
            if (content.Length > dropAfter)
            {
                await io.CloseAsync();
                return null;
            }
        }

        return null;
    }
}
