using System.Net;

namespace OAuthRelay.Smtp.Backend;

/// <summary>What the backend may know about the connection it serves.</summary>
public sealed record SmtpSessionInfo(string ListenerName, EndPoint? RemoteEndPoint, EndPoint? LocalEndPoint, bool IsSecure, string ConnectionId)
{
    public IPAddress? RemoteAddress => (RemoteEndPoint as IPEndPoint)?.Address;
}
