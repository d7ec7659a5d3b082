using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Smtp;

/// <summary>MailKit's SmtpClient, a real and strict client, against the relay in each TLS mode and AUTH mechanism.</summary>
public sealed class MailKitClientTests
{
    private static readonly Dictionary<string, string?> BothListeners = new()
    {
        ["Listeners:implicit:Address"] = "127.0.0.1",
        ["Listeners:implicit:Port"] = "0",
        ["Listeners:implicit:Tls"] = "Implicit",
    };

    private static SmtpClient NewClient() => new() { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };

    /// <summary>A message with an 8-bit text body and a 10 MB attachment, as the exact bytes it will travel as.</summary>
    private static byte[] LargeEightBitMessage()
    {
        var attachment = new byte[10 * 1024 * 1024];
        new Random(42).NextBytes(attachment);
        var body = new TextPart("plain") { Text = "Grüße aus Zürich — 8-bit body, no transfer encoding.\r\n", ContentTransferEncoding = ContentEncoding.EightBit };
        var file = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(attachment)),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "data.bin",
        };
        var message = new MimeMessage(
            [new MailboxAddress("Sender", "sender@contoso.test")],
            [new MailboxAddress("Recipient", "recipient@example.test")],
            "Quarterly report",
            new Multipart("mixed") { body, file });
        using var bytes = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, bytes);
        return bytes.ToArray();
    }

    [Theory]
    [InlineData("main", SecureSocketOptions.StartTls, "PLAIN")]
    [InlineData("main", SecureSocketOptions.StartTls, "LOGIN")]
    [InlineData("implicit", SecureSocketOptions.SslOnConnect, "PLAIN")]
    [InlineData("implicit", SecureSocketOptions.SslOnConnect, "LOGIN")]
    [InlineData("main", SecureSocketOptions.None, "LOGIN")]
    public async Task Mailkit_authenticates_and_sends_byte_identical_8bit_message_with_10_mb_attachment(string listener, SecureSocketOptions security, string mechanism)
    {
        await using var host = await RelayTestHost.StartAsync(BothListeners);
        var expected = LargeEightBitMessage();

        using (var client = NewClient())
        {
            var endPoint = host.EndPoint(listener);
            await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, security);
            Assert.Equal(security != SecureSocketOptions.None, client.IsSecure);
            client.AuthenticationMechanisms.RemoveWhere(m => m != mechanism);
            await client.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
            Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.EightBitMime));
            await client.SendAsync(MimeMessage.Load(new MemoryStream(expected)));
            await client.DisconnectAsync(quit: true);
        }

        var captured = await File.ReadAllBytesAsync(Assert.Single(host.CapturedFiles()));
        Assert.Equal(SHA256.HashData(expected), SHA256.HashData(captured));
    }

    [Fact]
    public async Task Mailkit_with_wrong_password_gets_an_authentication_error()
    {
        await using var host = await RelayTestHost.StartAsync();
        using var client = NewClient();
        var endPoint = host.EndPoint();
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.StartTls);
        var error = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(RelayTestHost.UserName, "wrong"));
        Assert.Contains("5.7.8", error.Message);
    }

    [Fact]
    public async Task Mailkit_without_auth_from_a_trusted_network_sends_in_cleartext()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clients:tools:Networks:0"] = "127.0.0.0/8",
            ["Listeners:main:Tls"] = "None",
        });
        using var client = NewClient();
        var endPoint = host.EndPoint();
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.None);
        var message = new MimeMessage([MailboxAddress.Parse("cron@contoso.test")], [MailboxAddress.Parse("ops@example.test")], "nightly", new TextPart("plain") { Text = "ok" });
        await client.SendAsync(message);
        await client.DisconnectAsync(true);

        var captured = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Assert.Single(host.CapturedFiles())));
        Assert.Contains("Subject: nightly", captured);
    }
}
