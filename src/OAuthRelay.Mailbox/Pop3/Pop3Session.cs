using Microsoft.Extensions.Logging;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Backend;
using OAuthRelay.Mailbox.Server;

namespace OAuthRelay.Mailbox.Pop3;

/// <summary>
/// A POP3 conversation in the AUTHORIZATION state (RFC 1939, 2449, 5034, 2595): CAPA, STLS, USER/PASS, AUTH PLAIN
/// and QUIT, with RFC 2449/3206 response codes. Ends at a successful login.
/// </summary>
internal sealed class Pop3Session(LineTransport transport, MailboxListenerSettings listener, MailboxServerOptions options, IMailboxBackend backend,
    MailboxSessionInfo info, TimeProvider time, ILogger logger, CancellationToken shutdown)
    : FrontEndSession(transport, listener, options, backend, info, time, logger, shutdown)
{
    /// <summary>Commands of the TRANSACTION state: known, but not before login.</summary>
    private static readonly HashSet<string> AfterLoginCommands = ["STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL"];

    private string? _userName;

    protected override void Greet() => WriteLine($"+OK {Options.HostName} OAuthRelay POP3 ready");

    protected override string Goodbye(Ending ending) => ending switch
    {
        Ending.ShuttingDown => "-ERR [SYS/TEMP] Server shutting down",
        Ending.LoginTimeout => "-ERR Login not completed in time",
        Ending.CommandTimeout => "-ERR Command not completed in time",
        _ => "-ERR [SYS/TEMP] Internal error in the relay",
    };

    protected override async Task<Next> HandleNextAsync()
    {
        var line = await ReadLineAsync();
        if (line.IsClosed) return Next.Close;
        if (line.Text is null)
        {
            return Error("(unreadable)", line.Error == LineError.TooLong ? "Command line too long"
                : line.Error == LineError.BadEnding ? "Command lines must end with CRLF and contain no NUL or bare CR"
                : "Invalid UTF-8");
        }

        var space = line.Text.IndexOf(' ');
        var verb = (space < 0 ? line.Text : line.Text[..space]).ToUpperInvariant();
        var argument = space < 0 ? null : line.Text[(space + 1)..];
        switch (verb)
        {
            case "CAPA" when argument is null:
                WriteLine("+OK Capability list follows");
                if (LoginAllowed) WriteLine("USER");
                if (LoginAllowed) WriteLine("SASL PLAIN");
                if (StartTlsAvailable) WriteLine("STLS");
                WriteLine("RESP-CODES");
                WriteLine("AUTH-RESP-CODE");
                WriteLine("IMPLEMENTATION OAuthRelay");
                WriteLine(".");
                return Next.Continue;
            case "STLS" when argument is null:
                if (Transport.IsSecure) return Error(verb, "TLS is already active");
                if (!Listener.TlsAvailable) return Error(verb, "STLS is not available");
                _userName = null;
                return await StartTlsAsync("+OK Begin TLS negotiation") ? Next.Continue : Next.Close;
            case "USER" when !string.IsNullOrEmpty(argument):
                if (!LoginAllowed) return Error(verb, "Cleartext login is disabled, use STLS first");
                _userName = argument;
                WriteLine("+OK Send PASS");
                return Next.Continue;
            case "PASS" when argument is not null:
                if (_userName is null) return Error(verb, "Send USER first");
                var userName = _userName;
                _userName = null;
                return await LoginAsync(userName, argument, "USER/PASS");
            case "AUTH" when argument is null:
                WriteLine("+OK Supported mechanisms follow");
                if (LoginAllowed) WriteLine("PLAIN");
                WriteLine(".");
                return Next.Continue;
            case "AUTH":
                return await AuthenticateAsync(argument!.Split(' '));
            case "QUIT" when argument is null:
                WriteLine("+OK OAuthRelay signing off");
                return Next.Close;
            case "CAPA" or "STLS" or "USER" or "PASS" or "QUIT":
                return Error(verb, $"Invalid arguments for {verb}");
            case var known when AfterLoginCommands.Contains(known):
                return Error(verb, "Log in first");
            default:
                return Error("(unknown)", "Unknown command");
        }
    }

    private async Task<Next> AuthenticateAsync(string[] arguments)
    {
        if (arguments.Length > 2 || !arguments[0].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
            return Error("AUTH", "Unsupported authentication mechanism");
        if (!LoginAllowed) return Error("AUTH", "Authentication is disabled, use STLS first");
        var response = arguments.Length == 2 ? arguments[1] : null;
        if (response is null)
        {
            WriteLine("+ ");
            StartCommandClock();
            var line = await ReadLineAsync();
            if (line.IsClosed) return Next.Close;
            if (line.Text is null) return Error("AUTH", "Unreadable authentication response");
            response = line.Text;
        }

        var plain = SaslPlain.Decode(response);
        return plain.Error switch
        {
            SaslPlainError.None => await LoginAsync(plain.UserName!, plain.Password!, "AUTH PLAIN"),
            SaslPlainError.Cancelled => Error("AUTH", "Authentication cancelled"),
            SaslPlainError.AuthorizationIdentity => Reply("-ERR [AUTH] Acting as another user is not supported", Next.Continue),
            _ => Error("AUTH", "Malformed PLAIN response"),
        };
    }

    private new async Task<Next> LoginAsync(string userName, string password, string mechanism)
    {
        var login = await base.LoginAsync(userName, password, mechanism);
        switch (login.Outcome)
        {
            case MailboxLoginOutcome.Succeeded:
                WriteLine($"+OK {login.Text}");
                return Next.LoggedIn;
            case MailboxLoginOutcome.BadCredentials:
                return Reply($"-ERR [AUTH] {login.Text}", AuthFailuresExhausted ? Next.Close : Next.Continue);
            case MailboxLoginOutcome.Refused:
                return Reply($"-ERR [SYS/TEMP] {login.Text}", Next.Close);
            default:
                return Reply($"-ERR [SYS/TEMP] {login.Text}", Next.Continue);
        }
    }

    private Next Reply(string line, Next next)
    {
        WriteLine(line);
        return next;
    }

    private Next Error(string command, string text)
    {
        WriteLine($"-ERR {text}");
        return TooManyErrors(command, $"-ERR {text}") ? Next.Close : Next.Continue;
    }
}
