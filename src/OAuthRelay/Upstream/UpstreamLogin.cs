using OAuthRelay.Clients;
using OAuthRelay.Connections;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Upstream;

/// <summary>
/// How a local login goes upstream, for SMTP delivery, the IMAP/POP3 proxy and Graph alike: the identity a client is
/// sent as (its account's mailbox with its token when OAuth is on, its own credentials when off), and the login
/// itself with the account's token, once more with a fresh token if the upstream refuses it.
/// </summary>
internal sealed partial class UpstreamLogin(TokenService tokens, ILogger<UpstreamLogin> logger)
{
    public UpstreamIdentity IdentityFor(RelayClient client, string? userName, string? password) =>
        client.OAuth ? UpstreamIdentity.OAuth(client.Account!, tokens.Options(client.Account!).Mailbox)
        : userName is not null && password is not null ? UpstreamIdentity.Basic(userName, password)
        : UpstreamIdentity.Anonymous;

    /// <summary>A login to a mail protocol's Exchange upstream; refusals are described by <see cref="ExchangeRefusals"/>.</summary>
    public Task LogInAsync(UpstreamIdentity identity, MailProtocol protocol, Func<AccessToken?, Task> attempt, CancellationToken cancellationToken) =>
        LogInAsync(identity, TokenResource.For(protocol), attempt, (account, reply) => ExchangeRefusals.Describe(protocol, account.Flow, account.Mailbox, reply), cancellationToken);

    /// <summary>
    /// Runs <paramref name="attempt"/> (which throws <see cref="UpstreamLoginRefusedException"/> when the server says no)
    /// with the current token for <paramref name="resource"/>; a refused token is replaced once. A second refusal, or a
    /// refusal of the client's own credentials, is an <see cref="UpstreamAuthenticationException"/>, and the account's
    /// health names the cause and the operator action that <paramref name="describeRefusal"/> gives for the reply.
    /// </summary>
    public async Task LogInAsync(UpstreamIdentity identity, TokenResource resource, Func<AccessToken?, Task> attempt,
        Func<AccountOptions, string, (string Code, string Action)> describeRefusal, CancellationToken cancellationToken)
    {
        var token = identity.UsesOAuth ? await tokens.GetAccessTokenAsync(identity.Account!, resource, cancellationToken) : null;
        for (var tries = 1; ; tries++)
        {
            try
            {
                await attempt(token);
                if (token is not null) tokens.UpstreamAccepted(identity.Account!, resource);
                return;
            }
            catch (UpstreamLoginRefusedException e)
            {
                LogRefused(resource.Name, identity.ToString(), tries, e.Reply);
                if (token is null || tries == 2)
                {
                    if (token is not null)
                    {
                        var (code, action) = describeRefusal(tokens.Options(identity.Account!), e.Reply);
                        tokens.UpstreamRefused(identity.Account!, resource, code, e.Reply, action);
                    }

                    throw new UpstreamAuthenticationException(identity.ToString(), e.Reply, clientsOwnCredentials: !identity.UsesOAuth, e);
                }

                token = await tokens.ReplaceAccessTokenAsync(identity.Account!, resource, token, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Resource} upstream refused login as {Identity} (attempt {Attempt}): {Reply}")]
    private partial void LogRefused(string resource, string identity, int attempt, string reply);
}
