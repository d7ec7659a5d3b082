using System.Text;

namespace OAuthRelay.Fakes;

/// <summary>
/// A fake Exchange Online POP3 server (outlook.office365.com:995): implicit TLS, AUTH XOAUTH2 in two steps, USER/PASS
/// for basic users, and STAT, LIST, UIDL, RETR (dot-stuffed), NOOP, QUIT over the shared mailbox.
/// </summary>
public sealed class FakeOffice365Pop3(FakeEntraId entra) : FakeMailboxServer(entra)
{
    protected override async Task ServeAsync(FakeLineConnection io)
    {
        await io.WriteLineAsync("+OK The Microsoft Exchange POP3 service is ready. [RkFLRQ==]");
        var loggedIn = false;
        string? user = null;
        while (await io.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ');
            var messages = Messages;
            switch (words[0].ToUpperInvariant())
            {
                case "CAPA":
                    await io.WriteLineAsync("+OK\r\nTOP\r\nUIDL\r\nSASL XOAUTH2\r\nUSER\r\n.");
                    break;
                case "AUTH" when words.Length == 2 && words[1].Equals("XOAUTH2", StringComparison.OrdinalIgnoreCase) && !loggedIn:
                    await io.WriteLineAsync("+ ");
                    var response = await io.ReadLineAsync();
                    if (response is null) return;
                    loggedIn = AcceptXOAuth2(response);
                    await io.WriteLineAsync(loggedIn ? "+OK User successfully authenticated." : "-ERR Authentication failure: unknown user name or bad password.");
                    break;
                case "USER" when words.Length == 2 && !loggedIn:
                    user = words[1];
                    await io.WriteLineAsync("+OK");
                    break;
                case "PASS" when user is not null && !loggedIn:
                    loggedIn = AcceptBasic("USER", user, line[5..]);
                    await io.WriteLineAsync(loggedIn ? "+OK User successfully logged on." : "-ERR Logon failure: unknown user name or bad password.");
                    break;
                case "QUIT":
                    await io.WriteLineAsync("+OK Microsoft Exchange Server POP3 server signing off.");
                    return;
                case var _ when !loggedIn:
                    await io.WriteLineAsync("-ERR Command is not valid in this state.");
                    break;
                case "STAT":
                    await io.WriteLineAsync($"+OK {messages.Count} {messages.Sum(m => m.Length)}");
                    break;
                case "LIST" or "UIDL" when words.Length == 1:
                    var uidl = words[0].Equals("UIDL", StringComparison.OrdinalIgnoreCase);
                    var listing = messages.Select((m, i) => $"{i + 1} {(uidl ? $"uid{i + 1}" : m.Length)}\r\n");
                    await io.WriteLineAsync($"+OK\r\n{string.Concat(listing)}.");
                    break;
                case "RETR" when words.Length == 2 && int.TryParse(words[1], out var number) && number >= 1 && number <= messages.Count:
                    var message = messages[number - 1];
                    await io.WriteAsync(Encoding.ASCII.GetBytes($"+OK {message.Length} octets\r\n"), DotStuff(message), ".\r\n"u8.ToArray());
                    break;
                case "NOOP":
                    await io.WriteLineAsync("+OK");
                    break;
                default:
                    await io.WriteLineAsync("-ERR Protocol error. 14");
                    break;
            }
        }
    }

    /// <summary>RFC 1939: lines starting with "." get another "."; the message ends with CRLF before the final ".".</summary>
    private static byte[] DotStuff(byte[] message)
    {
        var stuffed = new MemoryStream(message.Length + 64);
        var lineStart = true;
        foreach (var b in message)
        {
            if (lineStart && b == '.') stuffed.WriteByte((byte)'.');
            stuffed.WriteByte(b);
            lineStart = b == '\n';
        }

        if (!lineStart) stuffed.Write("\r\n"u8);
        return stuffed.ToArray();
    }
}
