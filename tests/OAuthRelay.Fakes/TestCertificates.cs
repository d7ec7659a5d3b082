using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OAuthRelay.Fakes;

/// <summary>
/// A small private PKI for certificate-trust tests, made once per process: a root CA (the only certificate the relay
/// is told to trust), an intermediate CA under it, and server certificates as a fake upstream presents them in its
/// handshake. The bad ones differ from <see cref="ThroughIntermediate"/> in one property each. Every CA has its own
/// subject, so chain building never takes one for another (or for <see cref="FakeCertificate"/>).
/// </summary>
public static class TestCertificates
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static readonly Lazy<X509Certificate2> Root = new(() => CreateCa("CN=OAuthRelay Test Root CA", issuer: null));
    private static readonly Lazy<X509Certificate2> Intermediate = new(() => CreateCa("CN=OAuthRelay Test Intermediate CA", Root.Value));
    private static readonly Lazy<X509Certificate2> UnknownRoot = new(() => CreateCa("CN=Unknown Test Root CA", issuer: null));

    private static readonly Lazy<SslStreamCertificateContext> Good = new(() => Present(Intermediate.Value, Now.AddDays(-1), Now.AddYears(1), ServerAuthentication, "127.0.0.1", "localhost"));
    private static readonly Lazy<SslStreamCertificateContext> Unknown = new(() => Present(UnknownRoot.Value, Now.AddDays(-1), Now.AddYears(1), ServerAuthentication, "127.0.0.1", "localhost"));
    private static readonly Lazy<SslStreamCertificateContext> OtherName = new(() => Present(Intermediate.Value, Now.AddDays(-1), Now.AddYears(1), ServerAuthentication, "mail.other.test"));
    private static readonly Lazy<SslStreamCertificateContext> Outdated = new(() => Present(Intermediate.Value, Now.AddDays(-30), Now.AddDays(-1), ServerAuthentication, "127.0.0.1", "localhost"));
    private static readonly Lazy<SslStreamCertificateContext> ClientOnly = new(() => Present(Intermediate.Value, Now.AddDays(-1), Now.AddYears(1), ClientAuthentication, "127.0.0.1", "localhost"));

    /// <summary>The root CA as PEM, for the relay's Upstream:TrustedCaFile; the intermediate is not in it.</summary>
    public static string RootPem => Root.Value.ExportCertificatePem();

    /// <summary>A certificate for 127.0.0.1 and localhost from the intermediate, presented with the intermediate.</summary>
    public static SslStreamCertificateContext ThroughIntermediate => Good.Value;

    /// <summary>A certificate for 127.0.0.1 and localhost from a CA the relay does not trust, presented with that CA.</summary>
    public static SslStreamCertificateContext FromUnknownCa => Unknown.Value;

    /// <summary>As <see cref="ThroughIntermediate"/>, but for mail.other.test only.</summary>
    public static SslStreamCertificateContext ForOtherName => OtherName.Value;

    /// <summary>As <see cref="ThroughIntermediate"/>, but expired yesterday.</summary>
    public static SslStreamCertificateContext Expired => Outdated.Value;

    /// <summary>As <see cref="ThroughIntermediate"/>, but for TLS clients only (extended key usage).</summary>
    public static SslStreamCertificateContext ForClientsOnly => ClientOnly.Value;

    /// <summary>A server certificate from <paramref name="issuer"/>, with the issuer to send along in the handshake.</summary>
    private static SslStreamCertificateContext Present(X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter, Oid usage, params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address)) alternativeNames.AddIpAddress(address);
            else alternativeNames.AddDnsName(name);
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = request.Create(issuer, notBefore, notAfter, SerialNumber());
        return SslStreamCertificateContext.Create(signed.CopyWithPrivateKey(key), [issuer], offline: true);
    }

    /// <summary>A root (self-signed) or intermediate CA; an intermediate may sign server certificates only.</summary>
    private static X509Certificate2 CreateCa(string subject, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: issuer is not null, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        if (issuer is null) return request.CreateSelfSigned(Now.AddYears(-2), Now.AddYears(10));

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = request.Create(issuer, Now.AddYears(-1), Now.AddYears(5), SerialNumber());
        return signed.CopyWithPrivateKey(key);
    }

    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        return serial;
    }
}
