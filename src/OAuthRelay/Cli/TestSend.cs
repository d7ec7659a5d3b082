using MailKit.Security;
using MimeKit;
using OAuthRelay.Connections;
using OAuthRelay.Delivery.Graph;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.Cli;

/// <summary>
/// Sends one real message as an account through its upstream, printing each step (token, then for SMTP connect and
/// TLS, XOAUTH2 and the reply; for Graph the sendMail and its answer), so an operator sees exactly where a setup
/// fails, with the same operator action health would give. Never prints a token.
/// </summary>
internal sealed class TestSend(TokenService tokens, UpstreamConnector connector, GraphMessageTransport graph, TextWriter output)
{
    /// <summary>On the relay's services (its composition, running or not).</summary>
    public static TestSend Of(IServiceProvider services, TextWriter output) =>
        new(services.GetRequiredService<TokenService>(), services.GetRequiredService<UpstreamConnector>(), services.GetRequiredService<GraphMessageTransport>(), output);

    public Task<int> RunAsync(string account, string to, CancellationToken cancellationToken) =>
        tokens.Options(account).Transport == AccountTransport.Graph ? RunGraphAsync(account, to, cancellationToken) : RunSmtpAsync(account, to, cancellationToken);

    private async Task<int> RunGraphAsync(string account, string to, CancellationToken cancellationToken)
    {
        var step = "token";
        var options = tokens.Options(account);
        try
        {
            var token = await tokens.GetAccessTokenAsync(account, TokenResource.Graph(options), cancellationToken);
            output.WriteLine($"token:   ok for {options.Mailbox} (Microsoft Graph, {options.GraphResource}), expires {token.ExpiresOn:u}");

            step = "send";
            using var bytes = new MemoryStream();
            await Message(account, options.Mailbox, to).WriteToAsync(bytes, cancellationToken);
            var content = bytes.ToArray();
            await graph.ClientFor(options, token).SendMimeAsync(new Base64MimeContent([], () => new MemoryStream(content), content.Length), cancellationToken);
            output.WriteLine($"send:    {options.GraphBase}users/{options.Mailbox}/sendMail accepted for processing (202)");
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            output.WriteLine($"{step + ":",-8} FAILED: {Describe(e, account)}");
            return 1;
        }
    }

    private async Task<int> RunSmtpAsync(string account, string to, CancellationToken cancellationToken)
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
            var reply = await client.SendAsync(Message(account, mailbox, to), cancellationToken);
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

    private static MimeMessage Message(string account, string mailbox, string to) =>
        new([MailboxAddress.Parse(mailbox)], [MailboxAddress.Parse(to)], "OAuthRelay test message",
            new TextPart("plain") { Text = $"Sent by OAuthRelay's test-send for account {account} at {DateTimeOffset.UtcNow:u}.\r\n" });

    private string Describe(Exception e, string account) => e switch
    {
        TokenUnavailableException t => t.Health.ToString(),
        UpstreamLoginRefusedException r => $"{r.Reply}. {GraphRefusals.Describe(tokens.Options(account), r.Reply).Action}",
        GraphRequestException g => g.Message,
        // The same action health gives when the relay's own logins are refused.
        MailKit.Security.AuthenticationException a => $"{a.Message}. {ExchangeRefusals.Describe(MailProtocol.Smtp, tokens.Options(account).Flow, tokens.Options(account).Mailbox, a.Message).Action}",
        MailKit.Net.Smtp.SmtpCommandException c => $"{(int)c.StatusCode} {c.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
