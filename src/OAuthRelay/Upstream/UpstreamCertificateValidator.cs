using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using OAuthRelay.Connections;

namespace OAuthRelay.Upstream;

/// <summary>
/// Certificate validation for every upstream connection (SMTP, IMAP, POP3): <see cref="CertificateTrust"/> with the
/// operator's extra CAs (Upstream:TrustedCaFile), every refusal logged with its reason.
/// </summary>
internal sealed partial class UpstreamCertificateValidator(IOptions<UpstreamOptions> options, ILogger<UpstreamCertificateValidator> logger)
{
    private readonly CertificateTrust _trust = new(
        CertificateTrust.LoadRoots(options.Value.TrustedCaFile, "Upstream:TrustedCaFile"),
        options.Value.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck);

    public bool CheckRevocation => options.Value.CheckCertificateRevocation;

    public X509RevocationMode RevocationMode => CheckRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;

    /// <summary>
    /// The callback for a connection to <paramref name="host"/>. Always installed: without one, MailKit falls back to
    /// its own default, which also accepts an untrusted root for a built-in list of well-known mail servers.
    /// </summary>
    public RemoteCertificateValidationCallback CallbackFor(string host, int port) => (_, certificate, chain, errors) =>
    {
        if (_trust.Refusal(certificate, chain, errors) is not { } reason) return true;
        LogRefused($"{host}:{port}", reason);
        return false;
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS to upstream {Upstream} refused: {Reason}")]
    private partial void LogRefused(string upstream, string reason);
}
