using System.Net;
using OAuthRelay.Connections;

namespace OAuthRelay.Mailbox.Backend;

/// <summary>What the backend may know about the connection a login comes from.</summary>
public sealed record MailboxSessionInfo(string Listener, MailProtocol Protocol, EndPoint? RemoteEndPoint, string ConnectionId, bool IsSecure);
