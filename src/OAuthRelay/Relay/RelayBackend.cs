using OAuthRelay.Clients;
using OAuthRelay.Delivery;
using OAuthRelay.Observability;
using OAuthRelay.Smtp.Backend;

namespace OAuthRelay.Relay;

/// <summary>The relay's side of every SMTP conversation: recognise the client, apply its policy, deliver its mail.</summary>
public sealed class RelayBackend(ClientRegistry clients, ClientAuthenticator authenticator, IMessageDelivery delivery, RelayMetrics metrics, TimeProvider time, ILogger<RelayBackend> logger) : ISmtpBackend
{
    public ISmtpBackendSession OpenSession(SmtpSessionInfo session) =>
        new RelaySession(authenticator, delivery, metrics, time, logger, session, clients.FindByNetwork(session.RemoteAddress));
}
