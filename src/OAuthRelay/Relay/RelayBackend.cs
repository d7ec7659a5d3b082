using OAuthRelay.Clients;
using OAuthRelay.Observability;
using OAuthRelay.Smtp.Backend;

namespace OAuthRelay.Relay;

/// <summary>The relay's side of every SMTP conversation: recognise the client, apply its policy, deliver its mail.</summary>
internal sealed class RelayBackend(ClientRegistry clients, ClientAuthenticator authenticator, MessageHandoff handoff, RelayMetrics metrics, MessageHistory history, TimeProvider time, ILogger<RelayBackend> logger) : ISmtpBackend
{
    public ISmtpBackendSession OpenSession(SmtpSessionInfo session) =>
        new RelaySession(authenticator, handoff, metrics, history, time, logger, session, clients.FindByNetwork(session.RemoteAddress));
}
