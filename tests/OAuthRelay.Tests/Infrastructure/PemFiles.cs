using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>Certificate and key PEM files as an operator puts them beside the configuration.</summary>
internal static class PemFiles
{
    /// <summary>Writes <paramref name="name"/>.crt.pem and <paramref name="name"/>.key.pem for a self-signed certificate.</summary>
    public static (string Certificate, string Key) Write(string folder, string name, X509Certificate2 certificate)
    {
        var certificatePath = Path.Combine(folder, $"{name}.crt.pem");
        var keyPath = Path.Combine(folder, $"{name}.key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>A certificate for mail.contoso.test valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public static X509Certificate2 Certificate(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=mail.contoso.test", key, HashAlgorithmName.SHA256).CreateSelfSigned(notBefore, notAfter);
    }
}
