using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using OAuthRelay.Fakes;

namespace OAuthRelay.Bench;

/// <summary>
/// The fake Entra ID and Office 365 in the driver process, relays in child processes signed in against them, and the
/// MailKit connections of a legacy client (to a relay) and of the same client going straight to the fake Office 365.
/// </summary>
internal sealed class UpstreamFakes : IAsyncDisposable
{
    private readonly string _caFile;
    private readonly string _directToken;

    private UpstreamFakes(FakeEntraId entra, FakeOffice365 office, string caFile)
    {
        Entra = entra;
        Office = office;
        _caFile = caFile;
        _directToken = entra.IssueAccessToken();
    }

    public FakeEntraId Entra { get; }

    public FakeOffice365 Office { get; }

    public static async Task<UpstreamFakes> StartAsync()
    {
        var entra = await FakeEntraId.StartAsync();
        var office = new FakeOffice365(entra);
        var caFile = Path.Combine(Path.GetTempPath(), $"oauthrelay-bench-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caFile, office.CertificatePem);
        return new UpstreamFakes(entra, office, caFile);
    }

    /// <summary>
    /// A relay in a child process delivering as <paramref name="deliveryMode"/>, at most <paramref name="messagesPerMinute"/>
    /// upstream, its queue, spool and token cache in a new folder below <paramref name="dataRoot"/> (default: the temp
    /// folder), deleted when it stops; or its queue in <paramref name="queueFolder"/>, kept for the next relay; with
    /// further <paramref name="settings"/> (<c>Key=Value</c>).
    /// </summary>
    public Child StartRelay(string deliveryMode, int messagesPerMinute, string? dataRoot = null, string? queueFolder = null, params string[] settings) =>
        Child.Start(["relay", Entra.BaseAddress.ToString(), BenchServers.EntraCaFile(Entra, _caFile), Office.EndPoint.Port.ToString(), _caFile, Entra.IssueRefreshToken(),
            deliveryMode, messagesPerMinute.ToString(), dataRoot ?? Path.GetTempPath(), queueFolder ?? "", .. settings]);

    public static async Task<SmtpClient> ConnectAsync(Child relay)
    {
        var client = new SmtpClient();
        await client.ConnectAsync(await NoDelaySocketAsync(relay.EndPoints[0]), "127.0.0.1", relay.EndPoints[0].Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(BenchServers.ClientUser, BenchServers.ClientPassword);
        return client;
    }

    public async Task<SmtpClient> ConnectDirectAsync()
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
        await client.ConnectAsync(await NoDelaySocketAsync(Office.EndPoint), "127.0.0.1", Office.EndPoint.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(new SaslMechanismOAuth2(FakeEntraId.UserName, _directToken));
        return client;
    }

    /// <summary>Waits until the fake Office 365 has taken <paramref name="count"/> messages since it last forgot them; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForUpstreamAsync(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Office.Messages.Count < count)
        {
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(10);
        }

        return true;
    }

    /// <summary>Drops what the fake Office 365 recorded, so that its memory does not grow over the run.</summary>
    public void ForgetUpstreamMessages()
    {
        Office.Messages.Clear();
        Office.Attempts.Clear();
    }

    // Every path's clients alike: without Nagle, so none waits on delayed ACKs.
    private static async Task<Socket> NoDelaySocketAsync(IPEndPoint server)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        await Office.DisposeAsync();
        await Entra.DisposeAsync();
        File.Delete(_caFile);
        File.Delete(_caFile + ".entra.pem");
    }
}
