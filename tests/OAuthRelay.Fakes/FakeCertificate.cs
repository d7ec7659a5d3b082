using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using OAuthRelay.Listeners;

namespace OAuthRelay.Fakes;

/// <summary>
/// The one self-signed certificate (localhost, 127.0.0.1) every fake Office 365 server presents unless told otherwise,
/// so the relay trusts them all through one CA file: several self-signed roots with the same subject would confuse
/// chain building.
/// </summary>
public static class FakeCertificate
{
    private static readonly Lazy<X509Certificate2> Certificate = new(() => CertificateProvider.CreateSelfSigned("localhost"));
    private static readonly Lazy<SslStreamCertificateContext> CertificateContext = new(() => SslStreamCertificateContext.Create(Instance, null, offline: true));

    public static X509Certificate2 Instance => Certificate.Value;

    /// <summary>The certificate as a TLS server presents it.</summary>
    public static SslStreamCertificateContext Context => CertificateContext.Value;

    public static string Pem => Instance.ExportCertificatePem();
}
