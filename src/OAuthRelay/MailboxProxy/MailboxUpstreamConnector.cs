using System.Net.Security;
using System.Security.Authentication;
using MailKit.Security;
using Microsoft.Extensions.Options;
using OAuthRelay.Connections;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.MailboxProxy;

/// <summary>
/// Opens a logged-in IMAP or POP3 upstream session for a splice: implicit TLS 1.2+ with certificate validation,
/// then XOAUTH2 with the account's token (one retry with a refreshed token if refused) or the client's own login.
/// The SASL response is MailKit's <see cref="SaslMechanismOAuth2"/>; the few commands around it are written here
/// because MailKit's clients own their stream and would not hand it over for the splice.
/// </summary>
internal sealed partial class MailboxUpstreamConnector(
    IOptions<UpstreamOptions> options,
    UpstreamCertificateValidator certificates,
    TokenService tokens,
    ILogger<MailboxUpstreamConnector> logger)
{
    public async Task<UpstreamMailbox> ConnectAsync(MailProtocol protocol, UpstreamIdentity identity, string clientName, CancellationToken cancellationToken)
    {
        var endpoint = protocol == MailProtocol.Imap ? options.Value.Imap : options.Value.Pop3;
        var tokenProtocol = protocol == MailProtocol.Imap ? MailProtocol.Imap : MailProtocol.Pop3;
        var token = identity.UsesOAuth ? await tokens.GetAccessTokenAsync(identity.Account!, tokenProtocol, cancellationToken) : null;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        var socket = await UpstreamSocket.ConnectAsync(endpoint.Host, endpoint.Port, options.Value.Timeout, cancellationToken);
        var tls = new SslStream(new ReadAheadStream(new System.Net.Sockets.NetworkStream(socket, ownsSocket: false)), leaveInnerStreamOpen: false);
        var mailbox = new UpstreamMailbox(socket, tls, clientName, identity.ToString());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Host,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = certificates.RevocationMode,
                RemoteCertificateValidationCallback = certificates.CallbackFor(endpoint.Host, endpoint.Port),
            }, timeout.Token);

            var transport = new LineTransport(mailbox.Pipe.Input, mailbox.Pipe.Output);
            IMailboxUpstreamDialect dialect = protocol == MailProtocol.Imap ? new ImapUpstreamDialect(transport) : new Pop3UpstreamDialect(transport);
            await dialect.GreetAsync(timeout.Token);
            for (var attempt = 1; ; attempt++)
            {
                var accepted = token is null
                    ? await dialect.LoginAsync(identity.UserName, identity.Password ?? string.Empty, timeout.Token)
                    : await dialect.AuthenticateXOAuth2Async(new SaslMechanismOAuth2(identity.UserName, token.Token).Challenge(null, timeout.Token), timeout.Token);
                if (accepted) break;
                LogAuthRefused(protocol, identity.ToString(), attempt);
                if (token is null || attempt == 2) throw new UpstreamAuthenticationException(identity.ToString(), "login refused", null);
                token = await tokens.ReplaceAccessTokenAsync(identity.Account!, tokenProtocol, token, timeout.Token);
            }

            mailbox.Capabilities = await dialect.CapabilitiesAfterLoginAsync(timeout.Token);
            await mailbox.EndConversationAsync(timeout.Token);
            return mailbox;
        }
        catch
        {
            await mailbox.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Protocol} upstream refused login as {Identity} (attempt {Attempt})")]
    private partial void LogAuthRefused(MailProtocol protocol, string identity, int attempt);
}
