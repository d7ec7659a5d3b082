using System.Security.Cryptography;
using MimeKit;

namespace OAuthRelay.Tests.Mailbox;

/// <summary>Messages for the fake mailboxes: a small one, and one with a 10 MB attachment (built once).</summary>
internal static class MailboxMessages
{
    private static readonly Lazy<byte[]> LargeMessage = new(() => Build("Scanned contract", RandomNumberGenerator.GetBytes(10 * 1024 * 1024)));

    public static byte[] Small(string subject = "Order 7") => Build(subject, null);

    public static byte[] Large => LargeMessage.Value;

    private static byte[] Build(string subject, byte[]? attachment)
    {
        var body = new BodyBuilder { TextBody = "Hello from Office 365.\r\n.A line that starts with a dot.\r\n" };
        if (attachment is not null) body.Attachments.Add("contract.pdf", attachment, new ContentType("application", "pdf"));
        var message = new MimeMessage([MailboxAddress.Parse("sender@example.test")], [MailboxAddress.Parse("relay@contoso.test")], subject, body.ToMessageBody());
        using var bytes = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, bytes);
        return bytes.ToArray();
    }

    public static byte[] Hash(byte[] bytes) => SHA256.HashData(bytes);

    public static async Task<byte[]> HashAsync(Stream stream) => await SHA256.HashDataAsync(stream);
}
