using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace OAuthRelay.Upstream;

/// <summary>
/// Certificate validation for every upstream connection (SMTP, IMAP, POP3): the system's trust store, plus the
/// operator's extra CAs (Upstream:TrustedCaFile) for private setups and tests. Never "accept anything".
/// </summary>
internal sealed class UpstreamCertificateValidator(IOptions<UpstreamOptions> options)
{
    private readonly X509Certificate2Collection? _trustedCas = options.Value.TrustedCaFile is { } file ? TrustedCaFile.Load(file) : null;
    private RemoteCertificateValidationCallback? _callback;

    public bool CheckRevocation => options.Value.CheckCertificateRevocation;

    public X509RevocationMode RevocationMode => CheckRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;

    /// <summary>The callback to install, or null when the system's default validation is all there is.</summary>
    public RemoteCertificateValidationCallback? Callback => _trustedCas is null ? null : _callback ??= Validate;

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trustedCas!);
        custom.ChainPolicy.RevocationMode = RevocationMode;
        return custom.Build(new X509Certificate2(certificate));
    }
}
