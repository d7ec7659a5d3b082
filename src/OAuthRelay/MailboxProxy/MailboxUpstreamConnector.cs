using System.Net.Security;
using System.Security.Authentication;
using MailKit.Security;
using Microsoft.Extensions.Options;
using OAuthRelay.Connections;
using OAuthRelay.Upstream;

namespace OAuthRelay.MailboxProxy;

/// <summary>
/// Opens a logged-in IMAP or POP3 upstream session for a splice: implicit TLS 1.2+ with certificate validation,
/// then XOAUTH2 with the account's token or the client's own login, through <see cref="UpstreamLogin"/>.
/// The SASL response is MailKit's <see cref="SaslMechanismOAuth2"/>; the few commands around it are written here
/// because MailKit's clients own their stream and would not hand it over for the splice.
/// </summary>
internal sealed class MailboxUpstreamConnector(
    IOptions<UpstreamOptions> options,
    UpstreamCertificateValidator certificates,
    UpstreamLogin login)
{
    public async Task<UpstreamMailbox> ConnectAsync(MailProtocol protocol, UpstreamIdentity identity, string clientName, CancellationToken cancellationToken)
    {
        var endpoint = protocol == MailProtocol.Imap ? options.Value.Imap : options.Value.Pop3;

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
            await login.LogInAsync(identity, protocol, async token =>
            {
                var refusal = token is null
                    ? await dialect.LoginAsync(identity.UserName, identity.Password ?? string.Empty, timeout.Token)
                    : await dialect.AuthenticateXOAuth2Async(new SaslMechanismOAuth2(identity.UserName, token.Token).Challenge(null, timeout.Token), timeout.Token);
                if (refusal is not null) throw new UpstreamLoginRefusedException(refusal);
            }, timeout.Token);

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

}
