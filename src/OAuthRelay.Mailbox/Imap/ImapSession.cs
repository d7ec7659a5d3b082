using System.Text;
using Microsoft.Extensions.Logging;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Backend;
using OAuthRelay.Mailbox.Server;

namespace OAuthRelay.Mailbox.Imap;

/// <summary>
/// An IMAP conversation in the not-authenticated state (RFC 3501 / 9051): CAPABILITY, NOOP, LOGOUT, ID, STARTTLS,
/// LOGIN and AUTHENTICATE PLAIN (SASL-IR), with quoted strings and literals ({n} and LITERAL+ {n+}). Ends at a
/// successful login, answered with the upstream's own capabilities.
/// </summary>
internal sealed class ImapSession(LineTransport transport, MailboxListenerSettings listener, MailboxServerOptions options, IMailboxBackend backend,
    MailboxSessionInfo info, TimeProvider time, ILogger logger, CancellationToken shutdown)
    : FrontEndSession(transport, listener, options, backend, info, time, logger, shutdown)
{
    /// <summary>LOGIN, the only command before login that takes strings, needs at most two (user name and password).</summary>
    private const int MaxLiteralsPerCommand = 2;

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>Commands of the authenticated and selected states: known, but not before login.</summary>
    private static readonly HashSet<string> AfterLoginCommands =
    [
        "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND",
        "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE", "UID", "IDLE", "NAMESPACE", "ENABLE",
    ];

    /// <summary>Capabilities that only mean something before login; the upstream's are not passed on.</summary>
    private static bool IsPreLoginCapability(string capability) =>
        capability.StartsWith("AUTH=", StringComparison.OrdinalIgnoreCase) ||
        capability is "STARTTLS" or "LOGINDISABLED" or "SASL-IR";

    private string Capabilities
    {
        get
        {
            var capabilities = new List<string> { "IMAP4rev1", "SASL-IR", "LITERAL+", "ID" };
            if (StartTlsAvailable) capabilities.Add("STARTTLS");
            capabilities.Add(LoginAllowed ? "AUTH=PLAIN" : "LOGINDISABLED");
            return string.Join(' ', capabilities);
        }
    }

    protected override void Greet() => WriteLine($"* OK [CAPABILITY {Capabilities}] {Options.HostName} OAuthRelay IMAP4rev1 ready");

    protected override string Goodbye(Ending ending) => ending switch
    {
        Ending.ShuttingDown => "* BYE [UNAVAILABLE] Server shutting down",
        Ending.LoginTimeout => "* BYE Login not completed in time",
        Ending.CommandTimeout => "* BYE Command not completed in time",
        _ => "* BYE [SERVERBUG] Internal error in the relay",
    };

    protected override async Task<Next> HandleNextAsync()
    {
        var (command, next) = await ReadCommandAsync();
        if (command is null) return next;
        var tag = command.Tag;
        var arguments = command.Arguments;
        switch (command.Name)
        {
            case "CAPABILITY" when arguments.Count == 0:
                WriteLine($"* CAPABILITY {Capabilities}");
                return Ok(tag, "CAPABILITY completed");
            case "NOOP" when arguments.Count == 0:
                return Ok(tag, "NOOP completed");
            case "LOGOUT" when arguments.Count == 0:
                WriteLine("* BYE OAuthRelay logging out");
                WriteLine($"{tag} OK LOGOUT completed");
                return Next.Close;
            case "ID":
                WriteLine("* ID (\"name\" \"OAuthRelay\")");
                return Ok(tag, "ID completed");
            case "STARTTLS" when arguments.Count == 0:
                if (Transport.IsSecure) return Bad(tag, command.Name, "TLS is already active");
                if (!Listener.TlsAvailable) return Bad(tag, command.Name, "STARTTLS is not available");
                return await StartTlsAsync($"{tag} OK Begin TLS negotiation now") ? Next.Continue : Next.Close;
            case "LOGIN" when arguments.Count == 2 && arguments.All(a => a.IsAString):
                if (!LoginAllowed) return No(tag, "[PRIVACYREQUIRED] LOGIN is disabled until STARTTLS");
                return await LoginAsync(tag, arguments[0].Value, arguments[1].Value, "LOGIN");
            case "AUTHENTICATE" when arguments.Count is 1 or 2 && arguments.All(a => a.Kind == ImapTokenKind.Atom):
                return await AuthenticateAsync(tag, arguments);
            case "CAPABILITY" or "NOOP" or "LOGOUT" or "STARTTLS" or "LOGIN" or "AUTHENTICATE":
                return Bad(tag, command.Name, $"Invalid arguments for {command.Name}");
            case var name when AfterLoginCommands.Contains(name):
                return Bad(tag, name, "Log in first");
            default:
                return Bad(tag, "(unknown)", "Unknown command");
        }
    }

    private async Task<Next> AuthenticateAsync(string tag, IReadOnlyList<ImapToken> arguments)
    {
        if (!arguments[0].Value.Equals("PLAIN", StringComparison.OrdinalIgnoreCase)) return No(tag, "[CANNOT] Unsupported authentication mechanism");
        if (!LoginAllowed) return No(tag, "[PRIVACYREQUIRED] Authentication is disabled until STARTTLS");
        var response = arguments.Count == 2 ? arguments[1].Value : null;
        if (response is null)
        {
            WriteLine("+ ");
            StartCommandClock();
            var line = await ReadLineAsync();
            if (line.IsClosed) return Next.Close;
            if (line.Text is null) return Bad(tag, "AUTHENTICATE", "Unreadable authentication response");
            response = line.Text;
        }

        var plain = SaslPlain.Decode(response);
        return plain.Error switch
        {
            SaslPlainError.None => await LoginAsync(tag, plain.UserName!, plain.Password!, "AUTHENTICATE PLAIN"),
            SaslPlainError.Cancelled => Bad(tag, "AUTHENTICATE", "Authentication cancelled"),
            SaslPlainError.AuthorizationIdentity => No(tag, "[AUTHORIZATIONFAILED] Acting as another user is not supported"),
            _ => Bad(tag, "AUTHENTICATE", "Malformed PLAIN response"),
        };
    }

    private async Task<Next> LoginAsync(string tag, string userName, string password, string mechanism)
    {
        var login = await LoginAsync(userName, password, mechanism);
        switch (login.Outcome)
        {
            case MailboxLoginOutcome.Succeeded:
                var capabilities = login.Upstream!.Capabilities.Where(c => !IsPreLoginCapability(c)).DefaultIfEmpty("IMAP4rev1");
                WriteLine($"{tag} OK [CAPABILITY {string.Join(' ', capabilities)}] {login.Text}");
                return Next.LoggedIn;
            case MailboxLoginOutcome.BadCredentials:
                WriteLine($"{tag} NO [AUTHENTICATIONFAILED] {login.Text}");
                if (!AuthFailuresExhausted) return Next.Continue;
                WriteLine("* BYE Too many failed logins");
                return Next.Close;
            case MailboxLoginOutcome.Refused:
                WriteLine($"{tag} NO [UNAVAILABLE] {login.Text}");
                WriteLine($"* BYE {login.Text}");
                return Next.Close;
            case MailboxLoginOutcome.Failed:
                return No(tag, $"[SERVERBUG] {login.Text}");
            default:
                return No(tag, $"[UNAVAILABLE] {login.Text}");
        }
    }

    /// <summary>
    /// Reads one command, with any literals in it. Null with what to do next when the line was answered already
    /// (BAD), the connection closed, or a literal was too large (answered and closed).
    /// </summary>
    private async Task<(ImapCommand? Command, Next Next)> ReadCommandAsync()
    {
        var tokens = new List<ImapToken>();
        string? tag = null;
        string? error = null;
        var literals = 0;
        while (true)
        {
            var line = await ReadLineAsync();
            if (line.IsClosed) return (null, Next.Close);
            if (line.Text is null)
            {
                error ??= line.Error switch
                {
                    LineError.TooLong => "[TOOBIG] Command line too long",
                    LineError.BadEnding => "Command lines must end with CRLF and contain no NUL or bare CR",
                    _ => "Invalid UTF-8",
                };
                break;
            }

            var (parsed, lineError) = ImapTokenizer.Tokenize(line.Text);
            if (tag is null)
            {
                var first = line.Text.Split(' ', 2)[0];
                tag = IsTag(first) ? first : null;
                if (tag is null) return (null, Bad("*", "(no tag)", "Missing or invalid tag"));
            }

            if (lineError is not null)
            {
                error ??= lineError;
                break;
            }

            tokens.AddRange(parsed!);
            if (tokens[^1].Kind != ImapTokenKind.Literal) break;

            var literal = tokens[^1];
            if (literal.LiteralSize > Options.MaxLiteralSize) return (null, TooMuchData(tag, $"Literal larger than {Options.MaxLiteralSize} bytes"));
            if (++literals > MaxLiteralsPerCommand) return (null, TooMuchData(tag, $"More than {MaxLiteralsPerCommand} literals in one command"));
            StartCommandClock();

            if (!literal.NonSynchronizing)
            {
                WriteLine("+ Ready for literal data");
                await Transport.FlushAsync(CancellationToken.None);
            }

            var bytes = await ReadBytesAsync(literal.LiteralSize);
            if (bytes is null) return (null, Next.Close);
            tokens[^1] = new ImapToken(ImapTokenKind.String, Decode(bytes, ref error));
        }

        if (error is not null) return (null, Bad(tag ?? "*", "(unreadable)", error));
        if (tokens.Count < 2 || tokens[1].Kind != ImapTokenKind.Atom) return (null, Bad(tag!, "(none)", "Missing command"));
        return (new ImapCommand(tag!, tokens[1].Value.ToUpperInvariant(), tokens[2..]), Next.Continue);
    }

    /// <summary>A command before login that would make the relay read more than it ever needs: refused, and the connection closed.</summary>
    private Next TooMuchData(string tag, string text)
    {
        TooManyErrors("(literal)", $"BAD [TOOBIG] {text}");
        WriteLine($"{tag} BAD [TOOBIG] {text}");
        WriteLine("* BYE Too much data before login");
        return Next.Close;
    }

    private static string Decode(byte[] literal, ref string? error)
    {
        try
        {
            return StrictUtf8.GetString(literal);
        }
        catch (DecoderFallbackException)
        {
            error ??= "Invalid UTF-8 in literal";
            return string.Empty;
        }
    }

    /// <summary>A tag is an atom without "+" (RFC 3501 section 9).</summary>
    private static bool IsTag(string word) =>
        word.Length > 0 && word.All(c => c > 0x20 && c < 0x7f && c is not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or '+'));

    private Next Ok(string tag, string text)
    {
        WriteLine($"{tag} OK {text}");
        return Next.Continue;
    }

    private Next No(string tag, string text)
    {
        WriteLine($"{tag} NO {text}");
        return Next.Continue;
    }

    private Next Bad(string tag, string command, string text)
    {
        WriteLine($"{tag} BAD {text}");
        if (!TooManyErrors(command, $"BAD {text}")) return Next.Continue;
        WriteLine("* BYE Too many errors");
        return Next.Close;
    }
}
