using Microsoft.Extensions.Options;
using OAuthRelay.Spool;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// Sends a spooled message through Microsoft Graph as the account's mailbox: while its base64 fits one request, a
/// MIME sendMail of the exact bytes with a Bcc header for envelope-only recipients; beyond that a draft with upload
/// sessions (<see cref="DraftSender"/>). Graph takes or refuses the message as a whole. At most
/// MaxConcurrentRequestsPerMailbox sends run at once per mailbox; a refused token is replaced once, then the account's
/// health names the operator action (<see cref="GraphRefusals"/>); Graph's other answers map through <see cref="GraphReplies"/>.
/// </summary>
internal sealed partial class GraphMessageTransport(
    IHttpClientFactory httpClients,
    UpstreamLogin login,
    TokenService tokens,
    IOptions<UpstreamOptions> options,
    ILogger<GraphMessageTransport> logger) : IMessageTransport
{
    public const string HttpClientName = "graph";

    private readonly MailboxConcurrency _concurrency = new();
    private readonly DraftSender _drafts = new(options.Value.Graph, logger);

    private GraphUpstreamOptions Graph => options.Value.Graph;

    public string Describe() =>
        $"Microsoft Graph (sendMail up to {Graph.MaxRequestBytes} bytes of base64 MIME, larger messages as drafts with upload sessions), at most {Graph.MaxConcurrentRequestsPerMailbox} concurrent sends and {Graph.MessagesPerMinute} messages a minute per mailbox";

    /// <summary>A client for the account's Graph with <paramref name="token"/>.</summary>
    public GraphMailboxClient ClientFor(AccountOptions account, AccessToken token) =>
        new(httpClients.CreateClient(HttpClientName), account.GraphBase, account.Mailbox, token.Token);

    public async Task<TransportOutcome> SendAsync(SpooledMessage message, UpstreamIdentity identity, IReadOnlyList<string> recipients, bool allOrNothing, CancellationToken cancellationToken)
    {
        var account = tokens.Options(identity.Account!);
        try
        {
            using var turn = await _concurrency.EnterAsync(account.Mailbox, Graph.MaxConcurrentRequestsPerMailbox, options.Value.ConnectionWaitTimeout, cancellationToken);
            EnvelopeBcc.MimeStart? start;
            await using (var content = message.OpenContent()) start = await EnvelopeBcc.StartAsync(content, recipients, cancellationToken);
            var rest = message.ContentLength - (start?.Skip ?? 0);
            var small = start is not null && Base64MimeContent.EncodedLength(start.Prefix.Length + rest) <= Graph.MaxRequestBytes;
            await login.LogInAsync(identity, TokenResource.Graph(account), async token =>
            {
                var graph = ClientFor(account, token!);
                if (small) await graph.SendMimeAsync(new Base64MimeContent(start!.Prefix, () => Rest(message, start.Skip), rest), cancellationToken);
                else await _drafts.SendAsync(graph, message, account.Mailbox, recipients, cancellationToken);
            }, GraphRefusals.Describe, cancellationToken);
            return TransportOutcome.Delivered(recipients, [], GraphReplies.Accepted);
        }
        catch (GraphRequestException e)
        {
            var outcome = GraphReplies.Outcome(e);
            // A gateway timeout may come after Graph took the message: the retry that follows can send it twice.
            if (e.Status == 504) LogMaybeSent(message.Envelope.Id, account.Mailbox);
            LogRefused(message.Envelope.Id, account.Mailbox, e.Status, outcome.Reply.ToString());
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reply = ReplyMapper.FromException(e);
            LogFailed(message.Envelope.Id, identity.ToString(), e.GetType().Name, e.Message, reply.ToString());
            return TransportOutcome.Failed(reply, permanent: false);
        }
    }

    private static Stream Rest(SpooledMessage message, long skip)
    {
        var content = message.OpenContent();
        content.Seek(skip, SeekOrigin.Current); // a queue file's content starts after its envelope line
        return content;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: Graph answered 504 for {Mailbox}; it may still send the message, and the retry may deliver it twice (at least once)")]
    private partial void LogMaybeSent(string messageId, string mailbox);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: Graph answered {Status} for {Mailbox}; the reply is {Reply}")]
    private partial void LogRefused(string messageId, string mailbox, int status, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: Graph as {Identity} failed: {Error}: {Detail}; the reply is {Reply}")]
    private partial void LogFailed(string messageId, string identity, string error, string detail, string reply);
}
