using MailKit.Security;
using MimeKit;
using OAuthRelay.Connections;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.Cli;

/// <summary>
/// Sends one real message as an account through the configured upstream, printing each step (token, connect and TLS,
/// XOAUTH2, the upstream's reply), so an operator sees exactly where a setup fails. Never prints a token.
/// </summary>
internal sealed class TestSend(TokenService tokens, UpstreamConnector connector, TextWriter output)
{
    /// <summary>On the relay's services (its composition, running or not).</summary>
    public static TestSend Of(IServiceProvider services, TextWriter output) =>
        new(services.GetRequiredService<TokenService>(), services.GetRequiredService<UpstreamConnector>(), output);

    public async Task<int> RunAsync(string account, string to, CancellationToken cancellationToken)
    {
        var step = "token";
        try
        {
            var mailbox = tokens.Options(account).Mailbox;
            var token = await tokens.GetAccessTokenAsync(account, TokenResource.Smtp, cancellationToken);
            output.WriteLine($"token:   ok for {mailbox}, expires {token.ExpiresOn:u}");

            step = "connect";
            using var client = connector.NewClient();
            await connector.ConnectTransportAsync(client, cancellationToken);
            output.WriteLine($"connect: {connector.Describe()}");
            output.WriteLine($"tls:     {(client.IsSecure ? $"{client.SslProtocol} {client.SslCipherSuite}" : "none")}");

            step = "auth";
            await client.AuthenticateAsync(new SaslMechanismOAuth2(mailbox, token.Token), cancellationToken);
            output.WriteLine($"auth:    XOAUTH2 as {mailbox} accepted");

            step = "send";
            var message = new MimeMessage([MailboxAddress.Parse(mailbox)], [MailboxAddress.Parse(to)], "OAuthRelay test message",
                new TextPart("plain") { Text = $"Sent by OAuthRelay's test-send for account {account} at {DateTimeOffset.UtcNow:u}.\r\n" });
            var reply = await client.SendAsync(message, cancellationToken);
            output.WriteLine($"send:    accepted: {reply}");
            await client.DisconnectAsync(quit: true, cancellationToken);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            output.WriteLine($"{step + ":",-8} FAILED: {Describe(e, account)}");
            return 1;
        }
    }

    private string Describe(Exception e, string account) => e switch
    {
        TokenUnavailableException t => t.Health.ToString(),
        // The same action health gives when the relay's own logins are refused.
        MailKit.Security.AuthenticationException a => $"{a.Message}. {ExchangeRefusals.Describe(MailProtocol.Smtp, tokens.Options(account).Flow, tokens.Options(account).Mailbox, a.Message).Action}",
        MailKit.Net.Smtp.SmtpCommandException c => $"{(int)c.StatusCode} {c.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
