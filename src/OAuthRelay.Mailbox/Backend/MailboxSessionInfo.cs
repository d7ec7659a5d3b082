using System.Net;

namespace OAuthRelay.Mailbox.Backend;

/// <summary>What the backend may know about the connection a login comes from.</summary>
public sealed record MailboxSessionInfo(string Listener, MailboxProtocol Protocol, EndPoint? RemoteEndPoint, string ConnectionId, bool IsSecure);
