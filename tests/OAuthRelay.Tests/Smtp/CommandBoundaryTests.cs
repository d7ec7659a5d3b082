using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OAuthRelay.Relay;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Smtp;

/// <summary>Every command gets one answer, whatever fails behind it, and a shutdown lets the command under way finish.</summary>
public sealed class CommandBoundaryTests
{
    private static Task<RelayTestHost> StartWithFailingBackendAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null) =>
        RelayTestHost.StartAsync(settings, time, services: s => s.Replace(ServiceDescriptor.Singleton<ISmtpBackend>(
            sp => new FailingBackends.Smtp(ActivatorUtilities.CreateInstance<RelayBackend>(sp)))));

    [Fact]
    public async Task An_exception_in_the_backend_at_MAIL_or_RCPT_is_answered_451_4_3_0_and_the_session_goes_on()
    {
        await using var host = await StartWithFailingBackendAsync();
        await using var client = await host.OpenAuthenticatedAsync();

        Assert.Equal((451, "4.3.0"), (await client.CommandAsync($"MAIL FROM:<{FailingBackends.Trigger}@contoso.test>")).Status);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
        Assert.Equal((451, "4.3.0"), (await client.CommandAsync($"RCPT TO:<{FailingBackends.Trigger}@example.test>")).Status);
        // The failed RCPT reset the transaction: the client starts it again and the message goes through.
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<b@example.test>")).Code);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        await client.SendRawAsync("Subject: after the failures\r\n\r\nbody\r\n.\r\n");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);

        Assert.Equal(2, host.Logs.Lines.Count(l => l.StartsWith("Error") && l.Contains("answered 451 4.3.0")));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Unhandled exception"));
    }

    [Fact]
    public async Task An_exception_in_the_backend_at_AUTH_is_answered_451_4_3_0_and_another_AUTH_may_follow()
    {
        await using var host = await StartWithFailingBackendAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");

        var plain = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{FailingBackends.Trigger}\0pw"));
        Assert.Equal((451, "4.3.0"), (await client.CommandAsync($"AUTH PLAIN {plain}")).Status);
        Assert.Equal(235, (await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);
    }

    [Fact]
    public async Task A_shutdown_during_the_auth_failure_delay_still_answers_535_then_closes_with_421()
    {
        var time = new SignalingTimeProvider();
        var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:AuthFailureDelay"] = "00:00:17" }, time);
        try
        {
            await using var client = await host.OpenAsync();
            await client.CommandAsync("EHLO client.test");
            var wrong = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{RelayTestHost.UserName}\0wrong"));
            time.ForgetArmedTimers();
            await client.SendRawAsync($"AUTH PLAIN {wrong}\r\n");
            await time.WaitForTimerAsync(TimeSpan.FromSeconds(17)); // the relay is in the failure delay

            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(stopping.SetResult);
            var stop = host.StopAsync();
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(15));

            Assert.Equal((535, "5.7.8"), (await client.ReadReplyAsync()).Status);
            Assert.Equal((421, "4.3.2"), (await client.ReadReplyAsync()).Status);
            Assert.True(await client.IsClosedByServerAsync());
            await stop.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Unhandled exception") || l.StartsWith("Error"));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
