using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using OAuthRelay.Spool;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Sends a spooled message over SMTP with MailKit: a pooled, authenticated connection for the identity, then one
/// pipelined MAIL/RCPT/DATA with the client's envelope. The content is streamed from the spool file and written back
/// byte for byte (MailKit's Prepare is off; MimeKit writes headers from their raw bytes), so DKIM signatures survive.
/// </summary>
internal sealed partial class SmtpMessageTransport(UpstreamSmtpPool pool, IOptions<UpstreamOptions> options, ILogger<SmtpMessageTransport> logger) : IMessageTransport
{
    public string Describe() =>
        $"Office 365 SMTP at {options.Value.Host}:{options.Value.Port} ({options.Value.Tls}), at most {options.Value.MaxConnectionsPerMailbox} connections and {options.Value.MessagesPerMinute} messages a minute per mailbox";

    public async Task<TransportOutcome> SendAsync(SpooledMessage message, UpstreamIdentity identity, IReadOnlyList<string> recipients, bool allOrNothing, CancellationToken cancellationToken)
    {
        UpstreamLease? lease = null;
        try
        {
            lease = await pool.LeaseAsync(identity, cancellationToken);
            var format = FormatOptions.Default.Clone();
            format.International = message.Envelope.SmtpUtf8;
            // Persistent: the parts' content stays in the spool file and is streamed from it.
            await using var stored = message.OpenContent();
            using var mime = await MimeMessage.LoadAsync(stored, persistent: true, cancellationToken);
            if (!allOrNothing) lease.Client.CollectRefusals();
            lease.Client.SpooledSize = message.Envelope.Size;
            try
            {
                var reply = await lease.Client.SendAsync(format, mime, Mailbox(message.Envelope.Sender), recipients.Select(Mailbox), cancellationToken);
                var refused = Refusals(lease.Client.StopCollectingRefusals());
                return TransportOutcome.Delivered(recipients.Except(refused.Select(r => r.Recipient)).ToList(), refused, ReplyMapper.FromUpstream(250, reply));
            }
            catch (SmtpCommandException) when (lease.Client.StopCollectingRefusals() is { Count: > 0 } refusals && refusals.Count == recipients.Count)
            {
                // Not one recipient was taken: each one's own reply says why.
                var refused = Refusals(refusals);
                return TransportOutcome.Failed(refused[0].Reply, refused.All(r => r.Permanent), refused: refused);
            }
            finally
            {
                lease.Client.SpooledSize = null;
            }
        }
        catch (SmtpCommandException e)
        {
            var reply = ReplyMapper.FromUpstream((int)e.StatusCode, e.Message);
            var backOff = ExchangeReplies.SlowsTheMailbox(reply);
            return TransportOutcome.Failed(reply, permanent: reply.Code >= 500 && !backOff, backOff);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not the upstream's verdict: the connection is unusable, and the failure is the relay's or the network's.
            lease?.MarkBroken();
            var reply = ReplyMapper.FromException(e);
            LogFailed(identity.ToString(), e.GetType().Name, e.Message, reply.ToString());
            return TransportOutcome.Failed(reply, permanent: e is UpstreamAuthenticationException { ClientsOwnCredentials: true });
        }
        finally
        {
            if (lease is not null) await lease.DisposeAsync();
        }
    }

    private static List<RecipientRefusal> Refusals(IReadOnlyList<(string Recipient, SmtpResponse Response)> refusals) =>
        refusals.Select(r => new RecipientRefusal(r.Recipient, ReplyMapper.FromUpstream((int)r.Response.StatusCode, r.Response.Response))).ToList();

    private static MailboxAddress Mailbox(string address) => new(string.Empty, address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream as {Identity} failed: {Error}: {Detail}; the reply is {Reply}")]
    private partial void LogFailed(string identity, string error, string detail, string reply);
}
