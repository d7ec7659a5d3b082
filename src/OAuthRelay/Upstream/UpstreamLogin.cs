using OAuthRelay.Clients;
using OAuthRelay.Connections;
using OAuthRelay.Tokens;

namespace OAuthRelay.Upstream;

/// <summary>
/// How a local login goes upstream, for SMTP delivery and the IMAP/POP3 proxy alike: the identity a client is sent
/// as (its account's mailbox with XOAUTH2 when OAuth is on, its own credentials when off), and the login itself with
/// the account's token, once more with a fresh token if the upstream refuses it.
/// </summary>
internal sealed partial class UpstreamLogin(TokenService tokens, ILogger<UpstreamLogin> logger)
{
    public UpstreamIdentity IdentityFor(RelayClient client, string? userName, string? password) =>
        client.OAuth ? UpstreamIdentity.OAuth(client.Account!, tokens.Options(client.Account!).Mailbox)
        : userName is not null && password is not null ? UpstreamIdentity.Basic(userName, password)
        : UpstreamIdentity.Anonymous;

    /// <summary>The token a login as <paramref name="identity"/> would use now (from memory while valid); null without OAuth.</summary>
    public async Task<AccessToken?> CurrentTokenAsync(UpstreamIdentity identity, MailProtocol protocol, CancellationToken cancellationToken) =>
        identity.UsesOAuth ? await tokens.GetAccessTokenAsync(identity.Account!, protocol, cancellationToken) : null;

    /// <summary>
    /// Runs <paramref name="attempt"/> (which throws <see cref="UpstreamLoginRefusedException"/> when the server says no)
    /// with the current token; a refused token is replaced once. A second refusal, or a refusal of the client's own
    /// credentials, is an <see cref="UpstreamAuthenticationException"/>.
    /// </summary>
    public async Task LogInAsync(UpstreamIdentity identity, MailProtocol protocol, Func<AccessToken?, Task> attempt, CancellationToken cancellationToken)
    {
        var token = await CurrentTokenAsync(identity, protocol, cancellationToken);
        for (var tries = 1; ; tries++)
        {
            try
            {
                await attempt(token);
                if (token is not null) tokens.UpstreamAccepted(identity.Account!, protocol);
                return;
            }
            catch (UpstreamLoginRefusedException e)
            {
                LogRefused(protocol, identity.ToString(), tries, e.Reply);
                if (token is null || tries == 2)
                {
                    if (token is not null) ReportRefusal(identity.Account!, protocol, e.Reply);
                    throw new UpstreamAuthenticationException(identity.ToString(), e.Reply, clientsOwnCredentials: !identity.UsesOAuth, e);
                }

                token = await tokens.ReplaceAccessTokenAsync(identity.Account!, protocol, token, cancellationToken);
            }
        }
    }

    /// <summary>Exchange refused a fresh token too: the account's health says so, with what to do.</summary>
    private void ReportRefusal(string account, MailProtocol protocol, string reply)
    {
        var options = tokens.Options(account);
        var (code, action) = ExchangeRefusals.Describe(protocol, options.Flow, options.Mailbox, reply);
        tokens.UpstreamRefused(account, protocol, code, reply, action);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Protocol} upstream refused login as {Identity} (attempt {Attempt}): {Reply}")]
    private partial void LogRefused(MailProtocol protocol, string identity, int attempt, string reply);
}
