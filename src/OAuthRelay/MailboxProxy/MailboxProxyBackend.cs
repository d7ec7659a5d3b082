using System.Net;
using OAuthRelay.Clients;
using OAuthRelay.Mailbox.Backend;
using OAuthRelay.Mailbox.Splice;
using OAuthRelay.Observability;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.MailboxProxy;

/// <summary>
/// Decides IMAP and POP3 logins: the client is recognised by the same registry as SMTP clients; with OAuth on it is
/// logged in upstream as its account's mailbox with XOAUTH2, with OAuth off with its own credentials. A failure the
/// client's password is not to blame for is temporary, never "authentication failed".
/// </summary>
internal sealed partial class MailboxProxyBackend(
    ClientAuthenticator authenticator,
    UpstreamLogin upstreamLogin,
    MailboxUpstreamConnector connector,
    RelayMetrics metrics,
    ILogger<MailboxProxyBackend> logger)
    : IMailboxBackend
{
    public async ValueTask<MailboxLogin> LoginAsync(MailboxSessionInfo session, string userName, string password, CancellationToken cancellationToken)
    {
        var login = await authenticator.AuthenticateAsync((session.RemoteEndPoint as IPEndPoint)?.Address, userName, password);
        switch (login.Outcome)
        {
            case ClientLoginOutcome.Busy:
                return MailboxLogin.Unavailable(login.Reason);
            case ClientLoginOutcome.Blocked:
                return MailboxLogin.Refused(login.Reason);
            case ClientLoginOutcome.WrongCredentials:
                return MailboxLogin.BadCredentials();
        }

        var client = login.Client!;
        if (client.UnavailableReason is { } reason)
        {
            LogUnavailable(session.ConnectionId, client.Name, reason);
            return MailboxLogin.Unavailable(reason);
        }

        if (client.OAuth && client.Account is null)
        {
            LogUnavailable(session.ConnectionId, client.Name, "OAuth is on but the client names no Account");
            return MailboxLogin.Unavailable("No mailbox is configured for this client");
        }

        var identity = upstreamLogin.IdentityFor(client, userName, password);
        try
        {
            return MailboxLogin.Succeeded(await connector.ConnectAsync(session.Protocol, identity, client.Name, cancellationToken));
        }
        catch (UpstreamAuthenticationException e) when (e.ClientsOwnCredentials)
        {
            return MailboxLogin.BadCredentials(); // the upstream refused the client's own password
        }
        catch (UpstreamAuthenticationException e)
        {
            LogUnavailable(session.ConnectionId, client.Name, e.Message);
            return MailboxLogin.Unavailable("The mail server refused the relay's token; try again later");
        }
        catch (TokenUnavailableException e)
        {
            LogUnavailable(session.ConnectionId, client.Name, e.Message);
            return MailboxLogin.Unavailable("The relay has no valid sign-in for this mailbox; try again later");
        }
        catch (Exception e) when (NetworkFailure.Is(e) && !cancellationToken.IsCancellationRequested)
        {
            LogUnavailable(session.ConnectionId, client.Name, $"{e.GetType().Name}: {e.Message}");
            return MailboxLogin.Unavailable("The mail server cannot be reached; try again later");
        }
    }

    public void SessionEnded(MailboxSessionInfo session, SpliceResult result) =>
        metrics.MailboxSessionEnded(session.Protocol.ToString().ToUpperInvariant(), result.BytesFromClient, result.BytesToClient);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: upstream login for client {Client} failed: {Reason}")]
    private partial void LogUnavailable(string connectionId, string client, string reason);
}
