using System.Security.Authentication;
using Microsoft.Extensions.Options;
using MailKit.Security;
using OAuthRelay.Connections;
using OAuthRelay.Smtp.Server;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Upstream;

/// <summary>
/// Opens and authenticates upstream SMTP connections: TLS 1.2+ with the relay's certificate validation, then XOAUTH2
/// with the account's token or the client's own credentials, through <see cref="UpstreamLogin"/> (one retry with a
/// fresh token).
/// </summary>
internal sealed class UpstreamConnector(
    IOptions<UpstreamOptions> options,
    IOptions<SmtpServerOptions> server,
    UpstreamCertificateValidator certificates,
    UpstreamLogin login) : IUpstreamLoginProbe
{
    private static readonly string[] PasswordMechanisms = ["PLAIN", "LOGIN"];

    public string Resource => TokenResource.Smtp.Name;

    public async Task ProbeAsync(UpstreamIdentity identity, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(identity, cancellationToken);
    }

    public async Task<UpstreamConnection> ConnectAsync(UpstreamIdentity identity, CancellationToken cancellationToken)
    {
        var client = NewClient();
        try
        {
            await ConnectTransportAsync(client, cancellationToken);
            AccessToken? used = null;
            await login.LogInAsync(identity, MailProtocol.Smtp, async token =>
            {
                used = token;
                await AuthenticateAsync(client, identity, token, cancellationToken);
            }, cancellationToken);
            return new UpstreamConnection(client, used?.ExpiresOn);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>One SASL exchange on a connected client; MailKit stays connected after a refusal, so a retry can follow.</summary>
    private static async Task AuthenticateAsync(PassThroughSmtpClient client, UpstreamIdentity identity, AccessToken? token, CancellationToken cancellationToken)
    {
        try
        {
            if (token is not null)
            {
                await client.AuthenticateAsync(new SaslMechanismOAuth2(identity.UserName, token.Token), cancellationToken);
            }
            else if (identity.Password is not null)
            {
                // The client's own password needs a mechanism that carries one; otherwise it is the setup, not the password.
                if (!client.AuthenticationMechanisms.Overlaps(PasswordMechanisms)) throw new UpstreamLoginUnsupportedException(identity.ToString(), client.AuthenticationMechanisms);
                await client.AuthenticateAsync(identity.UserName, identity.Password, cancellationToken);
            }
        }
        catch (MailKit.Security.AuthenticationException e)
        {
            throw new UpstreamLoginRefusedException(e.Message, e);
        }
    }

    /// <summary>The configured upstream's address and TLS mode, for people reading a step-by-step report.</summary>
    public string Describe() => $"{options.Value.Host}:{options.Value.Port} ({options.Value.Tls})";

    /// <summary>Connects a new client to the upstream, TLS included, not yet authenticated.</summary>
    public async Task ConnectTransportAsync(PassThroughSmtpClient client, CancellationToken cancellationToken) =>
        await client.ConnectAsync(await UpstreamSocket.ConnectAsync(options.Value.Host, options.Value.Port, options.Value.Timeout, cancellationToken),
            options.Value.Host, options.Value.Port, SocketOptions(options.Value.Tls), cancellationToken);

    public PassThroughSmtpClient NewClient()
    {
        var client = new PassThroughSmtpClient
        {
            Timeout = (int)options.Value.Timeout.TotalMilliseconds,
            LocalDomain = server.Value.HostName,
            CheckCertificateRevocation = certificates.CheckRevocation,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ServerCertificateValidationCallback = certificates.CallbackFor(options.Value.Host, options.Value.Port),
        };
        return client;
    }

    private static SecureSocketOptions SocketOptions(TlsMode tls) => tls switch
    {
        TlsMode.Implicit => SecureSocketOptions.SslOnConnect,
        TlsMode.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };
}
