using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;
using OAuthRelay.Connections;

namespace OAuthRelay.Tokens.Msal;

/// <summary>
/// One HttpClient for all MSAL requests, with a short timeout (a hung Entra ID must not hold mail for minutes) and the
/// relay's certificate trust: the system's store plus Tokens:TrustedCaFile (a TLS-inspecting proxy's CA). The last
/// certificate it refused is kept, so that health can name it instead of calling Entra ID unreachable.
/// </summary>
public sealed class MsalHttpClientFactory : IMsalHttpClientFactory
{
    private readonly HttpClient _client;

    public MsalHttpClientFactory(TimeSpan timeout, string? trustedCaFile = null)
        : this(timeout, new CertificateTrust(CertificateTrust.LoadRoots(trustedCaFile, "Tokens:TrustedCaFile"), X509RevocationMode.NoCheck))
    {
    }

    public MsalHttpClientFactory(TimeSpan timeout, CertificateTrust trust)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (trust.Refusal(certificate, chain, errors) is not { } refusal) return true;
                    LastRefusal = refusal;
                    return false;
                },
            },
        };
        _client = new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>Why the last certificate was refused (it names the certificate), or null if none was.</summary>
    public string? LastRefusal { get; private set; }

    public HttpClient GetHttpClient() => _client;
}
