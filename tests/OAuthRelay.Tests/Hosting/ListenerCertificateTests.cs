using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using OAuthRelay.Listeners;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Hosting;

/// <summary>TLS listeners present the operator's PEM certificate, or a self-signed one with a warning.</summary>
public sealed class ListenerCertificateTests
{
    [Fact]
    public async Task A_listener_with_pem_files_presents_that_certificate_on_starttls_and_implicit_tls()
    {
        using var certificate = CertificateProvider.CreateSelfSigned("mail.contoso.test");
        var folder = Directory.CreateTempSubdirectory("oauthrelay-pem-").FullName;
        var (certPath, keyPath) = PemFiles.Write(folder, "mail", certificate);

        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Listeners:main:CertificatePath"] = certPath,
            ["Listeners:main:KeyPath"] = keyPath,
            ["Listeners:implicit:Port"] = "0",
            ["Listeners:implicit:Tls"] = "Implicit",
            ["Listeners:implicit:CertificatePath"] = certPath,
            ["Listeners:implicit:KeyPath"] = keyPath,
        });

        foreach (var (listener, security) in new[] { ("main", SecureSocketOptions.StartTls), ("implicit", SecureSocketOptions.SslOnConnect) })
        {
            string? presented = null;
            using var client = new SmtpClient
            {
                CheckCertificateRevocation = false,
                ServerCertificateValidationCallback = (_, cert, _, _) =>
                {
                    presented = new X509Certificate2(cert!).Thumbprint;
                    return true;
                },
            };
            await client.ConnectAsync("127.0.0.1", host.EndPoint(listener).Port, security);
            await client.DisconnectAsync(true);
            Assert.Equal(certificate.Thumbprint, presented);
        }

        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("self-signed"));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_tls_listener_without_a_certificate_gets_a_self_signed_one_and_a_warning()
    {
        await using var host = await RelayTestHost.StartAsync();
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Warning") && l.Contains("self-signed") && l.Contains("main"));

        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal(220, (await client.CommandAsync("STARTTLS")).Code);
        await client.StartTlsAsync();
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
    }
}
