using System.Text;
using System.Text.RegularExpressions;

namespace OAuthRelay.Fakes;

/// <summary>
/// A fake Exchange Online IMAP server (outlook.office365.com:993): implicit TLS, AUTHENTICATE XOAUTH2 with SASL-IR,
/// LOGIN for basic users, and what MailKit's ImapClient needs of a one-folder mailbox: NAMESPACE, LIST, SELECT/EXAMINE,
/// FETCH BODY.PEEK[] and IDLE, which hears of messages added while it waits.
/// </summary>
public sealed partial class FakeOffice365Imap(FakeEntraId entra) : FakeMailboxServer(entra)
{
    private const string PostLoginCapabilities = "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+";

    /// <summary>Tagged commands received after login, in order (e.g. "EXAMINE INBOX"), to see what passed through.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Commands { get; } = new();

    protected override async Task ServeAsync(FakeLineConnection io)
    {
        // Like Exchange, no capabilities in the greeting: a client asks.
        await io.WriteLineAsync("* OK The Microsoft Exchange IMAP4 service is ready. [RkFLRQ==]");
        var loggedIn = false;
        while (await io.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ', 3);
            if (words.Length < 2)
            {
                await io.WriteLineAsync("* BAD Command Error. 10");
                continue;
            }

            var (tag, command, rest) = (words[0], words[1].ToUpperInvariant(), words.Length > 2 ? words[2] : "");
            if (loggedIn) Commands.Enqueue($"{command} {rest}".TrimEnd());
            switch (command)
            {
                case "CAPABILITY":
                    await io.WriteLineAsync(loggedIn ? $"* CAPABILITY {PostLoginCapabilities}" : "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+");
                    await io.WriteLineAsync($"{tag} OK CAPABILITY completed.");
                    break;
                case "AUTHENTICATE" when rest.StartsWith("XOAUTH2", StringComparison.OrdinalIgnoreCase):
                    var response = rest.Length > 8 ? rest[8..] : await ContinueAsync(io);
                    if (response is null) return;
                    loggedIn = AcceptXOAuth2(response);
                    await io.WriteLineAsync(loggedIn ? $"{tag} OK AUTHENTICATE completed." : $"{tag} NO AUTHENTICATE failed.");
                    break;
                case "LOGIN":
                    var arguments = QuotedPair().Match(rest);
                    loggedIn = arguments.Success && AcceptBasic("LOGIN", Unquote(arguments.Groups[1].Value), Unquote(arguments.Groups[2].Value));
                    await io.WriteLineAsync(loggedIn ? $"{tag} OK LOGIN completed." : $"{tag} NO LOGIN failed.");
                    break;
                case "NOOP":
                    await io.WriteLineAsync($"{tag} OK NOOP completed.");
                    break;
                case "LOGOUT":
                    await io.WriteLineAsync("* BYE Microsoft Exchange Server IMAP4 server signing off.");
                    await io.WriteLineAsync($"{tag} OK LOGOUT completed.");
                    return;
                case var _ when !loggedIn:
                    await io.WriteLineAsync($"{tag} BAD User is not authenticated.");
                    break;
                case "NAMESPACE":
                    await io.WriteLineAsync("* NAMESPACE ((\"\" \"/\")) NIL NIL");
                    await io.WriteLineAsync($"{tag} OK NAMESPACE completed.");
                    break;
                case "LIST":
                    await io.WriteLineAsync("* LIST (\\Marked \\HasNoChildren) \"/\" INBOX");
                    await io.WriteLineAsync($"{tag} OK LIST completed.");
                    break;
                case "SELECT" or "EXAMINE":
                    await io.WriteLineAsync($"* {Messages.Count} EXISTS");
                    await io.WriteLineAsync("* 0 RECENT");
                    await io.WriteLineAsync("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)");
                    await io.WriteLineAsync("* OK [PERMANENTFLAGS ()] Permanent flags");
                    await io.WriteLineAsync("* OK [UIDVALIDITY 14] UIDVALIDITY value");
                    await io.WriteLineAsync($"* OK [UIDNEXT {Messages.Count + 1}] The next unique identifier value");
                    await io.WriteLineAsync($"{tag} OK [READ-ONLY] {command} completed.");
                    break;
                case "FETCH":
                    await FetchAsync(io, tag, rest);
                    break;
                case "IDLE":
                    await IdleAsync(io, tag);
                    break;
                default:
                    await io.WriteLineAsync($"{tag} BAD Command Error. 12");
                    break;
            }
        }
    }

    private static async Task<string?> ContinueAsync(FakeLineConnection io)
    {
        await io.WriteLineAsync("+ ");
        return await io.ReadLineAsync();
    }

    /// <summary>FETCH n (… BODY.PEEK[] …): the whole message as a literal, byte for byte.</summary>
    private async Task FetchAsync(FakeLineConnection io, string tag, string arguments)
    {
        var messages = Messages;
        var number = int.TryParse(arguments.Split(' ')[0], out var n) ? n : 0;
        if (number < 1 || number > messages.Count || !arguments.Contains("BODY.PEEK[]", StringComparison.OrdinalIgnoreCase))
        {
            await io.WriteLineAsync($"{tag} BAD Command Argument Error. 11");
            return;
        }

        var message = messages[number - 1];
        var uid = arguments.Contains("UID", StringComparison.OrdinalIgnoreCase) ? $"UID {number} " : "";
        await io.WriteAsync(Encoding.ASCII.GetBytes($"* {number} FETCH ({uid}BODY[] {{{message.Length}}}\r\n"), message, Encoding.ASCII.GetBytes($")\r\n{tag} OK FETCH completed.\r\n"));
    }

    /// <summary>IDLE until DONE, telling the client of every message added meanwhile.</summary>
    private async Task IdleAsync(FakeLineConnection io, string tag)
    {
        void Exists(int count) => _ = io.WriteLineAsync($"* {count} EXISTS");
        MessageAdded += Exists;
        try
        {
            await io.WriteLineAsync("+ IDLE accepted, awaiting DONE command.");
            Idling?.Invoke();
            var done = await io.ReadLineAsync();
            if (done is null) return;
            await io.WriteLineAsync(done.Equals("DONE", StringComparison.OrdinalIgnoreCase) ? $"{tag} OK IDLE completed." : $"{tag} BAD Command Error. 10");
        }
        finally
        {
            MessageAdded -= Exists;
        }
    }

    /// <summary>Raised when a session has entered IDLE, so a test knows when to add a message.</summary>
    public event Action? Idling;

    private static string Unquote(string quoted) => quoted.Replace("\\\"", "\"").Replace("\\\\", "\\");

    [GeneratedRegex("""^"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$""")]
    private static partial Regex QuotedPair();
}
