using OAuthRelay.Clients;
using OAuthRelay.Delivery;
using OAuthRelay.Smtp.Backend;

namespace OAuthRelay.Relay;

/// <summary>The relay's side of every SMTP conversation: recognise the client, then hand its messages to delivery.</summary>
public sealed class RelayBackend(ClientRegistry clients, IMessageDelivery delivery, TimeProvider time) : ISmtpBackend
{
    public ISmtpBackendSession OpenSession(SmtpSessionInfo session) =>
        new RelaySession(clients, delivery, time, clients.FindByNetwork(session.RemoteAddress));
}
