using System.Net.Security;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;

namespace OAuthRelay.Tests.Relay;

/// <summary>
/// The relay's checks on its upstreams' certificates, over real TLS handshakes: SMTP (STARTTLS through MailKit), IMAP
/// and POP3 (implicit TLS through SslStream) refuse a certificate from a CA the relay does not trust, for another
/// name, expired, or not meant for servers, with the protocol's temporary answer and one warning naming the reason.
/// The relay trusts only the test root (Upstream:TrustedCaFile); a good certificate comes with its intermediate.
/// </summary>
public sealed class UpstreamTrustTests
{
    private const string RefusalLog = "Warning OAuthRelay.Upstream.UpstreamCertificateValidator: TLS to upstream 127.0.0.1:";

    private static readonly string[] Protocols = ["SMTP", "IMAP", "POP3"];

    private static readonly Dictionary<string, (Func<SslStreamCertificateContext> Certificate, string Reason)> BadCertificates = new()
    {
        ["from an unknown CA"] = (() => TestCertificates.FromUnknownCa, "certificate for CN=127.0.0.1 not trusted: PartialChain"),
        ["for another name"] = (() => TestCertificates.ForOtherName, "certificate for CN=mail.other.test name mismatch"),
        ["expired"] = (() => TestCertificates.Expired, "certificate for CN=127.0.0.1 not trusted: NotTimeValid"),
        ["for clients only"] = (() => TestCertificates.ForClientsOnly, "certificate for CN=127.0.0.1 not trusted: NotValidForUsage"),
    };

    public static TheoryData<string, string> RefusalCases
    {
        get
        {
            var cases = new TheoryData<string, string>();
            foreach (var protocol in Protocols)
            {
                foreach (var certificate in BadCertificates.Keys) cases.Add(protocol, certificate);
            }

            return cases;
        }
    }

    public static TheoryData<string> AllProtocols => new(Protocols);

    [Theory]
    [MemberData(nameof(RefusalCases))]
    public async Task An_upstream_certificate_that_fails_validation_is_refused_with_a_temporary_answer_and_one_warning(string protocol, string certificate)
    {
        await using var rig = await StartTrustingTestRootAsync();
        var (presented, reason) = BadCertificates[certificate];
        Upstream(rig, protocol).Certificate = presented();

        var answer = await AnswerNeedingTheUpstreamAsync(rig, protocol);

        Assert.StartsWith(protocol switch { "SMTP" => "451 4.4.1 ", "IMAP" => "a1 NO [UNAVAILABLE] ", _ => "-ERR [SYS/TEMP] " }, answer);
        Assert.EndsWith(reason, Assert.Single(rig.Relay.Logs.Lines, l => l.StartsWith(RefusalLog, StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public async Task A_private_ca_works_through_the_intermediate_the_upstream_sends(string protocol)
    {
        await using var rig = await StartTrustingTestRootAsync();
        Upstream(rig, protocol).Certificate = TestCertificates.ThroughIntermediate;

        var answer = await AnswerNeedingTheUpstreamAsync(rig, protocol);

        Assert.StartsWith(protocol switch { "SMTP" => "250 2.0.0 ", "IMAP" => "a1 OK ", _ => "+OK " }, answer);
        Assert.DoesNotContain(rig.Relay.Logs.Lines, l => l.StartsWith(RefusalLog, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_trusted_ca_file_the_system_store_decides_and_the_refusal_is_logged()
    {
        await using var rig = await RelayRig.StartAsync(s => s.Remove("Upstream:TrustedCaFile"));

        Assert.StartsWith("451 4.4.1 ", await AnswerNeedingTheUpstreamAsync(rig, "SMTP"));
        Assert.EndsWith("certificate for CN=localhost not trusted: UntrustedRoot", Assert.Single(rig.Relay.Logs.Lines, l => l.StartsWith(RefusalLog, StringComparison.Ordinal)));
    }

    /// <summary>A relay whose Upstream:TrustedCaFile holds the test root alone.</summary>
    private static Task<RelayRig> StartTrustingTestRootAsync() =>
        RelayRig.StartAsync(s => File.WriteAllText(s["Upstream:TrustedCaFile"]!, TestCertificates.RootPem));

    private static FakeServer Upstream(RelayRig rig, string protocol) => protocol switch
    {
        "SMTP" => rig.Office,
        "IMAP" => rig.Imap,
        _ => rig.Pop3,
    };

    /// <summary>The relay's answer to the first client step it needs the upstream for: the end of DATA, LOGIN, PASS.</summary>
    private static async Task<string> AnswerNeedingTheUpstreamAsync(RelayRig rig, string protocol)
    {
        switch (protocol)
        {
            case "SMTP":
                await using (var smtp = await rig.Relay.OpenAuthenticatedAsync())
                {
                    return (await smtp.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: trust\r\n\r\nbody")).Lines[0];
                }

            case "IMAP":
                await using (var imap = await RawImap.OpenAsync(rig.Relay.EndPoint("imap")))
                {
                    return (await imap.CommandAsync("a1", $"LOGIN {RelayTestHost.UserName} \"{RelayTestHost.Password}\""))[^1];
                }

            default:
                await using (var pop3 = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("pop3")))
                {
                    Assert.StartsWith("+OK ", await pop3.ReadLineAsync());
                    Assert.Equal("+OK Send PASS", await pop3.ExchangeAsync($"USER {RelayTestHost.UserName}"));
                    return await pop3.ExchangeAsync($"PASS {RelayTestHost.Password}");
                }
        }
    }
}
