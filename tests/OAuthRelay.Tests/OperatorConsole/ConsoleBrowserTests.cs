using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using OAuthRelay.Clients;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Queue;
using OAuthRelay.Tokens;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>
/// The console in a real browser, as an operator at 2 a.m. would use it: sign in, switch a client to basic auth and
/// back (a MailKit client sends each way), sign a revoked account in again by device code, retry a queued message.
/// Every page is photographed into <see cref="ConsoleBrowser.ScreenshotFolder"/>.
/// </summary>
public sealed class ConsoleBrowserTests
{
    private const string QueuedUser = "queued@contoso.test";
    private const string QueuedPassword = "queued-password-7";
    private const string Later = "later@example.test";

    private static Task<ConsoleRig> StartAsync() => ConsoleRig.StartAsync(s =>
    {
        // A third client whose mail is queued, so that the Queue page has something to retry.
        s["Clients:queued:UserName"] = QueuedUser;
        s["Clients:queued:PasswordHash"] = PasswordHasher.Hash(QueuedPassword, PasswordHasher.MinimumIterations);
        s["Clients:queued:Account"] = "office";
        s["Clients:queued:DeliveryMode"] = "Queue";
    });

    private static async Task SendAsync(ConsoleRig console, string user, string password, string to)
    {
        using var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
        var endPoint = console.Rig.Relay.EndPoint();
        await smtp.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.StartTls);
        await smtp.AuthenticateAsync(user, password);
        await smtp.SendAsync(new MimeMessage([MailboxAddress.Parse(console.Rig.Mailbox)], [MailboxAddress.Parse(to)], "From the browser test", new TextPart("plain") { Text = "body" }));
        await smtp.DisconnectAsync(quit: true);
    }

    private static void SetOAuth(ConsoleBrowser browser, string client, string value)
    {
        browser.Open("/clients");
        var row = browser.Driver.FindElement(By.Id($"client-{client}"));
        row.FindElement(By.CssSelector($"select[name='value'][id='oauth-{client}'] option[value='{value}']")).Click();
        row.FindElement(By.CssSelector($"select[id='oauth-{client}']")).FindElement(By.XPath("./following-sibling::button")).Click();
        Assert.EndsWith("in force for new sessions.", browser.Message("status"));
    }

    [Fact]
    public async Task An_operator_signs_in_switches_oauth_signs_an_account_in_again_and_retries_a_queued_message()
    {
        await using var console = await StartAsync();
        console.Rig.Office.BasicUsers[RelayTestHost.UserName] = RelayTestHost.Password;
        using var browser = ConsoleBrowser.Start(console.BaseAddress);

        // Sign in, by keyboard: the console sends a stranger to the sign-in page, whose password field has the focus.
        browser.Open("/");
        browser.Until(d => d.Url.Contains("/sign-in"), "the sign-in page");
        browser.Screenshot("sign-in");
        new Actions(browser.Driver).SendKeys(ConsoleRig.AdminPassword + Keys.Enter).Perform();
        browser.Until(d => d.FindElements(By.CssSelector("h1")).FirstOrDefault()?.Text == "Overview", "the overview");
        new Actions(browser.Driver).SendKeys(Keys.Tab).Perform();
        Assert.Equal("Skip to content", browser.Driver.SwitchTo().ActiveElement().Text);

        // OAuth off for "app": its own credentials go upstream (basic AUTH), then back on: XOAUTH2 with the account's token.
        SetOAuth(browser, "app", "off");
        browser.Screenshot("clients");
        await SendAsync(console, RelayTestHost.UserName, RelayTestHost.Password, "someone@example.test");
        Assert.NotEqual("XOAUTH2", console.Rig.Office.Messages.Last().Mechanism);
        Assert.Equal(RelayTestHost.UserName, console.Rig.Office.Messages.Last().AuthenticatedAs);
        SetOAuth(browser, "app", "inherit");
        await SendAsync(console, RelayTestHost.UserName, RelayTestHost.Password, "someone@example.test");
        Assert.Equal("XOAUTH2", console.Rig.Office.Messages.Last().Mechanism);

        // Entra ID revokes the refresh token: the account needs a sign-in; the device code flow from the page heals it.
        console.Rig.Entra.RevokeAllRefreshTokens();
        await Assert.ThrowsAsync<TokenUnavailableException>(() => console.Rig.Relay.Services.GetRequiredService<TokenService>().RenewAsync("office"));
        browser.Open("/accounts");
        Assert.Equal("NeedsSignIn", browser.Until(d => d.FindElement(By.CssSelector("#account-office [data-state]")).Text, "the account's state"));
        browser.Screenshot("accounts-needs-sign-in");
        console.Rig.Entra.Hold(); // until the person has entered the code
        browser.Click(By.CssSelector("#account-office button[type='submit']"), "the sign-in button");
        Assert.Equal("FAKE-CODE", browser.Until(d => d.FindElements(By.CssSelector("#account-office .user-code")).FirstOrDefault()?.Text, "the device code"));
        Assert.Equal("https://microsoft.com/devicelogin", browser.Until(d => d.FindElement(By.CssSelector("#account-office .device-code a")).GetAttribute("href"), "the device login link"));
        browser.Screenshot("accounts-device-code");
        console.Rig.Entra.Release();
        browser.Until(d => d.FindElements(By.CssSelector("#account-office [data-state='Healthy']")).Count == 1, "the account to be Healthy again (the page refreshes itself)");
        Assert.Contains($"Signed in as {FakeEntraId.UserName}", browser.Until(d => d.FindElement(By.CssSelector("#account-office .sign-in-result")).Text, "the sign-in result"));
        browser.Screenshot("accounts-healthy");

        // A queued message the upstream deferred waits an hour for its retry; the operator retries it now and it arrives.
        console.Rig.Office.DeferredRecipients.Add(Later);
        string id;
        using (var probe = new QueueProbe(console.Rig.Relay))
        {
            await SendAsync(console, QueuedUser, QueuedPassword, Later);
            id = (await probe.NextAttemptAsync()).MessageId;
        }

        console.Rig.Office.DeferredRecipients.Clear();
        var delivered = console.Rig.Office.Messages.Count + 1;
        browser.Open("/mail-queue");
        browser.Screenshot("queue");
        browser.Click(By.CssSelector($"button[aria-label='Retry {id}']"), "the retry button");
        Assert.Equal($"Message {id} retried.", browser.Message("status"));
        await console.Rig.Office.WaitForMessagesAsync(delivered);
        Assert.Contains(Later, console.Rig.Office.Messages.Last().To);

        browser.Open("/messages");
        browser.Screenshot("messages");
        browser.Open("/");
        browser.Screenshot("overview");
        browser.Driver.Manage().Window.Size = new System.Drawing.Size(390, 844); // a phone
        browser.Open("/clients");
        browser.Screenshot("clients-phone");
    }
}
