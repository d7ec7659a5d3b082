using OAuthRelay.Clients;
using OAuthRelay.Delivery;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Relay;

/// <summary>One client connection as the relay sees it: which client it is, and the envelope being built.</summary>
internal sealed class RelaySession(ClientRegistry clients, IMessageDelivery delivery, TimeProvider time, RelayClient? networkClient)
    : ISmtpBackendSession
{
    private readonly bool _onTrustedNetwork = networkClient is not null;
    private RelayClient? _client = networkClient;
    private string? _reversePath;
    private readonly List<string> _recipients = [];

    /// <summary>Clients on a trusted network may send without AUTH; everyone else authenticates.</summary>
    public bool RequiresAuthentication => !_onTrustedNetwork;

    public ValueTask<SmtpReply> AuthenticateAsync(SmtpCredentials credentials, CancellationToken cancellationToken)
    {
        var client = clients.FindByCredentials(credentials.UserName, credentials.Password);
        if (client is null) return ValueTask.FromResult(SmtpReplies.InvalidCredentials);
        _client = client;
        return ValueTask.FromResult(SmtpReplies.AuthSucceeded);
    }

    public ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken)
    {
        _reversePath = reversePath;
        return ValueTask.FromResult(SmtpReplies.SenderOk);
    }

    public ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken)
    {
        _recipients.Add(forwardPath);
        return ValueTask.FromResult(SmtpReplies.RecipientOk);
    }

    public ValueTask<SmtpReply> DataAsync(Stream content, CancellationToken cancellationToken)
    {
        var envelope = new Envelope(MessageIds.New(time), _client!.Name, _reversePath ?? string.Empty, [.. _recipients]);
        return delivery.DeliverAsync(envelope, content, cancellationToken);
    }

    public void Reset()
    {
        _reversePath = null;
        _recipients.Clear();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
