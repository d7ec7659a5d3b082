using System.Text;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;

namespace OAuthRelay.Tests.Relay;

/// <summary>At Trace level, across SMTP (OAuth on and off), IMAP and POP3 conversations, no secret reaches the log.</summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task No_password_token_refresh_token_or_client_secret_appears_in_any_log_line_at_trace_level()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Logging:LogLevel:Default"] = "Trace");
        rig.Imap.AddMessage(MailboxMessages.Small());
        rig.Pop3.AddMessage(MailboxMessages.Small());

        foreach (var (user, password) in new[] { (RelayTestHost.UserName, RelayTestHost.Password), (RelayRig.BasicUser, RelayRig.BasicPassword) })
        {
            using var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
            await smtp.ConnectAsync("127.0.0.1", rig.Relay.EndPoint().Port, SecureSocketOptions.StartTls);
            smtp.AuthenticationMechanisms.RemoveWhere(m => m != "LOGIN");
            await smtp.AuthenticateAsync(user, password);
            var from = user == RelayRig.BasicUser ? user : rig.Mailbox;
            await smtp.SendAsync(new MimeMessage([MailboxAddress.Parse(from)], [MailboxAddress.Parse("someone@example.test")], "Trace", new TextPart("plain") { Text = "Hello" }));
            await smtp.DisconnectAsync(true);
        }

        using (var imap = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false })
        {
            await imap.ConnectAsync("127.0.0.1", rig.Relay.EndPoint("imap").Port, SecureSocketOptions.StartTls);
            await imap.AuthenticateAsync(RelayTestHost.UserName, RelayTestHost.Password);
            await imap.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            await imap.Inbox.GetMessageAsync(0);
            await imap.DisconnectAsync(true);
        }

        using (var pop3 = new Pop3Client { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false })
        {
            await pop3.ConnectAsync("127.0.0.1", rig.Relay.EndPoint("pop3").Port, SecureSocketOptions.StartTls);
            pop3.AuthenticationMechanisms.Clear();
            await pop3.AuthenticateAsync(RelayRig.BasicUser, RelayRig.BasicPassword);
            await pop3.GetMessageAsync(0);
            await pop3.DisconnectAsync(true);
        }

        await rig.Relay.Logs.WaitForLineAsync("POP3 session client=basic");
        var logs = rig.Relay.Logs.All;
        Assert.Contains("Trace ", logs); // Trace really was on
        Assert.Equal(2, rig.Office.Messages.Count);
        string[] secrets = [RelayTestHost.Password, RelayRig.BasicPassword, FakeEntraId.ClientSecret, .. rig.Entra.IssuedSecrets];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), logs);
        }
    }
}
