using OAuthRelay.Spool;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// Sends one spooled message with its envelope for one identity, in one go: for SMTP one pipelined MAIL/RCPT/DATA on a
/// pooled connection. The connection is taken only now, never while a client is still sending.
/// </summary>
public interface IMessageTransport
{
    /// <param name="message">The content on disk and its envelope.</param>
    /// <param name="identity">Who to send as upstream.</param>
    /// <param name="recipients">The recipients to send to now (a retry sends only those still pending).</param>
    /// <param name="allOrNothing">True: any refused recipient means nothing is sent (pass-through); false: send to those taken (queue).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    Task<TransportOutcome> SendAsync(SpooledMessage message, UpstreamIdentity identity, IReadOnlyList<string> recipients, bool allOrNothing, CancellationToken cancellationToken);

    /// <summary>A one-line description for the start-up log: where messages go.</summary>
    string Describe();
}
