using OAuthRelay.State;

namespace OAuthRelay.Upstream;

/// <summary>An authenticated upstream connection, what it was authenticated with, and the mailbox's connection slot it holds.</summary>
internal sealed class UpstreamConnection(PassThroughSmtpClient client, DateTimeOffset? tokenExpiresOn) : IAsyncDisposable
{
    public PassThroughSmtpClient Client { get; } = client;

    /// <summary>When the access token this connection authenticated with expires (null: not XOAUTH2).</summary>
    public DateTimeOffset? TokenExpiresOn { get; } = tokenExpiresOn;

    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Given back when the connection is closed.</summary>
    public ConnectionSlot Slot { get; set; } = ConnectionSlot.Unlimited;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Client.IsConnected) await Client.DisconnectAsync(quit: true).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (NetworkFailure.Is(e) || e is InvalidOperationException)
        {
            // Closing anyway.
        }

        Client.Dispose();
        await Slot.DisposeAsync();
    }
}
