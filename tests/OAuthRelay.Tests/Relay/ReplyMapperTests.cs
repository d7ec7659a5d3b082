using System.Net.Sockets;
using MailKit.Net.Smtp;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;
using OAuthRelay.Upstream;

namespace OAuthRelay.Tests.Relay;

/// <summary>The one table from upstream outcomes to client replies.</summary>
public sealed class ReplyMapperTests
{
    public static TheoryData<Exception, int, string> Failures => new()
    {
        { new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded"), 432, "4.3.2" },
        { new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)550, "5.7.60 SMTP; Client does not have permissions to send as this sender"), 550, "5.7.60" },
        { new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"), 554, "5.2.0" },
        { new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)552, "Message size exceeds fixed maximum message size"), 552, "5.0.0" },
        { new UpstreamAuthenticationException("mailbox", "535: 5.7.3 Authentication unsuccessful", clientsOwnCredentials: false, new Exception()), 454, "4.7.0" },
        { new TokenUnavailableException(new AccountHealth("office", TokenHealthState.NeedsSignIn, "70008", "sign in", DateTimeOffset.UtcNow)), 454, "4.7.0" },
        { new TokenUnavailableException(new AccountHealth("office", TokenHealthState.Misconfigured, "7000215", "fix secret", DateTimeOffset.UtcNow)), 454, "4.7.0" },
        { new UpstreamBusyException("mailbox", TimeSpan.FromSeconds(60)), 451, "4.4.1" },
        { new SocketException((int)SocketError.ConnectionRefused), 451, "4.4.1" },
        { new IOException("reset"), 451, "4.4.1" },
        { new TimeoutException(), 451, "4.4.1" },
        { new System.Security.Authentication.AuthenticationException("TLS"), 451, "4.4.1" },
        { new MailKit.Security.SslHandshakeException("certificate refused"), 451, "4.4.1" },
        { new MailKit.ServiceNotConnectedException(), 451, "4.4.1" },
        { new InvalidOperationException("a bug"), 451, "4.3.0" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_maps_to_its_reply(Exception failure, int code, string status)
    {
        var reply = ReplyMapper.FromException(failure);
        Assert.Equal((code, status), (reply.Code, reply.EnhancedStatus));
        Assert.NotEqual(535, reply.Code);
    }

    [Fact]
    public void The_upstream_refusing_a_clients_own_password_is_535_as_going_direct_would_be()
    {
        var reply = ReplyMapper.FromException(new UpstreamAuthenticationException("basic@contoso.test", "535 5.7.139 Authentication unsuccessful", clientsOwnCredentials: true, null));
        Assert.Equal((535, "5.7.8"), (reply.Code, reply.EnhancedStatus));
    }

    [Fact]
    public void Acceptance_carries_the_relays_message_id_and_the_upstreams_text()
    {
        var reply = ReplyMapper.Accepted("20261124-abc", "2.0.0 OK <id@outlook> [Hostname=X]");
        Assert.Equal((250, "2.0.0"), (reply.Code, reply.EnhancedStatus));
        Assert.Contains("20261124-abc", reply.Lines[0]);
        Assert.Contains("Hostname=X", reply.Lines[0]);
    }
}
