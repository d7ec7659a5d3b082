using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OAuthRelay.Listeners;

/// <summary>Certificates for TLS listeners: from PEM files, or one self-signed certificate made at start.</summary>
public sealed partial class CertificateProvider(ILogger<CertificateProvider> logger)
{
    private X509Certificate2? _selfSigned;

    public X509Certificate2 For(string listenerName, ListenerOptions listener, string hostName)
    {
        if (ListenerCertificate.Load(listenerName, listener) is { } certificate) return certificate;

        LogSelfSigned(listenerName, hostName);
        return _selfSigned ??= CreateSelfSigned(hostName);
    }

    public static X509Certificate2 CreateSelfSigned(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listener {Listener} asks for TLS but has no certificate: using a self-signed certificate for {HostName}. Clients that verify certificates will refuse it; configure CertificatePath and KeyPath.")]
    private partial void LogSelfSigned(string listener, string hostName);
}
