using System.Security.Authentication;
using Microsoft.Extensions.Options;
using MailKit.Security;
using OAuthRelay.Connections;
using OAuthRelay.Smtp.Server;
using OAuthRelay.Tokens;

namespace OAuthRelay.Upstream;

/// <summary>
/// Opens and authenticates upstream connections: TLS 1.2+ with certificate validation (plus an optional private CA),
/// then XOAUTH2 with the account's token or the client's own credentials. A 535 on XOAUTH2 gets one retry with a
/// freshly refreshed token; a second 535 is an <see cref="UpstreamAuthenticationException"/>.
/// </summary>
internal sealed partial class UpstreamConnector(
    IOptions<UpstreamOptions> options,
    IOptions<SmtpServerOptions> server,
    UpstreamCertificateValidator certificates,
    TokenService tokens,
    ILogger<UpstreamConnector> logger)
{

    /// <summary>The token a new connection for <paramref name="identity"/> would use now (from memory while valid).</summary>
    public async Task<string?> CurrentTokenAsync(UpstreamIdentity identity, CancellationToken cancellationToken) =>
        identity.UsesOAuth ? (await tokens.GetAccessTokenAsync(identity.Account!, MailProtocol.Smtp, cancellationToken)).Token : null;

    public async Task<UpstreamConnection> ConnectAsync(UpstreamIdentity identity, CancellationToken cancellationToken)
    {
        AccessToken? token = identity.UsesOAuth ? await tokens.GetAccessTokenAsync(identity.Account!, MailProtocol.Smtp, cancellationToken) : null;
        for (var attempt = 1; ; attempt++)
        {
            var client = NewClient();
            try
            {
                await ConnectTransportAsync(client, cancellationToken);
                if (token is not null) await client.AuthenticateAsync(new SaslMechanismOAuth2(identity.UserName, token.Token), cancellationToken);
                else if (identity.Password is not null) await client.AuthenticateAsync(identity.UserName, identity.Password, cancellationToken);
                return new UpstreamConnection(client, token?.Token);
            }
            catch (MailKit.Security.AuthenticationException e)
            {
                client.Dispose();
                LogAuthRefused(identity.ToString(), e.Message, attempt);
                if (token is null || attempt == 2) throw new UpstreamAuthenticationException(identity.ToString(), e.Message, e);
                token = await tokens.ReplaceAccessTokenAsync(identity.Account!, MailProtocol.Smtp, token, cancellationToken);
            }
            catch
            {
                client.Dispose();
                throw;
            }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream refused authentication as {Identity} (attempt {Attempt}): {Reply}")]
    private partial void LogAuthRefused(string identity, string reply, int attempt);
}
