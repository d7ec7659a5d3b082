using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Smtp;

/// <summary>A shutdown (SIGTERM, docker stop) lets the message under way finish, then closes the connection politely.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task A_message_in_flight_when_shutdown_starts_is_accepted_and_kept_then_the_session_gets_421()
    {
        var host = await RelayTestHost.StartAsync();
        try
        {
            await using var client = await host.OpenAuthenticatedAsync();
            Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
            Assert.Equal(250, (await client.CommandAsync("RCPT TO:<b@contoso.test>")).Code);
            Assert.Equal(354, (await client.CommandAsync("DATA")).Code);

            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(stopping.SetResult);
            var stop = host.StopAsync();
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(15));

            await client.SendRawAsync("Subject: in flight\r\n\r\nfirst half\r\nsecond half\r\n.\r\n");
            var reply = await client.ReadReplyAsync();
            Assert.Equal(250, reply.Code);
            var captured = Assert.Single(host.CapturedFiles());
            Assert.Contains("second half", await File.ReadAllTextAsync(captured));

            Assert.Equal((421, "4.3.2"), (await client.CommandAsync("NOOP")).Status);
            Assert.True(await client.IsClosedByServerAsync());
            await stop.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
