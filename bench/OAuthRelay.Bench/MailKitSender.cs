using System.Diagnostics;
using MailKit.Net.Smtp;
using MimeKit;
using OAuthRelay.Fakes;

namespace OAuthRelay.Bench;

/// <summary>A legacy application sending with MailKit: messages one after another, each on its own connection or all on one.</summary>
internal static class MailKitSender
{
    public sealed record Timing(int Messages, TimeSpan Elapsed, double[] LatenciesMs)
    {
        public double PerSecond => Messages / Elapsed.TotalSeconds;

        public double P50 => LatenciesMs[LatenciesMs.Length / 2];

        public double P99 => LatenciesMs[Math.Min(LatenciesMs.Length - 1, LatenciesMs.Length * 99 / 100)];
    }

    public static async Task<Timing> SendAsync(Func<Task<SmtpClient>> connect, MimeMessage message, int count, bool perMessageConnection)
    {
        var latencies = new double[count];
        var clock = Stopwatch.StartNew();
        SmtpClient? shared = perMessageConnection ? null : await connect();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var client = shared ?? await connect();
            await client.SendAsync(message);
            if (shared is null)
            {
                await client.DisconnectAsync(true);
                client.Dispose();
            }

            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        if (shared is not null)
        {
            await shared.DisconnectAsync(true);
            shared.Dispose();
        }

        Array.Sort(latencies);
        return new Timing(count, clock.Elapsed, latencies);
    }

    /// <summary>A text part and a base64 attachment, about <paramref name="size"/> bytes in all.</summary>
    public static MimeMessage Message(int size)
    {
        var attachment = new byte[size * 3 / 4]; // base64 makes it about the size asked for
        new Random(7).NextBytes(attachment);
        return new MimeMessage([new MailboxAddress("Forms", FakeEntraId.UserName)], [MailboxAddress.Parse("someone@example.test")], "Benchmark",
            new Multipart("mixed")
            {
                new TextPart("plain") { Text = "Sent by the benchmark.\r\n" },
                new MimePart("application", "octet-stream") { Content = new MimeContent(new MemoryStream(attachment)), ContentTransferEncoding = ContentEncoding.Base64, FileName = "data.bin" },
            });
    }
}
