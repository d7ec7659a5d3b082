using System.Text;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Smtp;

/// <summary>The RFC 5321 conversation and its extensions, scripted over a real socket.</summary>
public sealed class ConversationTests
{
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Greeting_and_ehlo_advertise_the_extensions_with_starttls_and_auth_on_loopback()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(host.EndPoint());

        var greeting = await client.ReadReplyAsync();
        Assert.Equal(220, greeting.Code);
        Assert.StartsWith("220 relay.test ESMTP", greeting.Lines[0]);

        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.Equal(250, ehlo.Code);
        Assert.Equal(
            ["PIPELINING", "SIZE 36700160", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "STARTTLS", "AUTH PLAIN LOGIN", "HELP"],
            ehlo.Keywords.ToArray());
    }

    [Fact]
    public async Task Ehlo_after_starttls_no_longer_offers_starttls()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal("220 2.0.0 Ready to start TLS", (await client.CommandAsync("STARTTLS")).Lines[0]);
        await client.StartTlsAsync();

        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.DoesNotContain("STARTTLS", ehlo.Keywords);
        Assert.Contains("AUTH PLAIN LOGIN", ehlo.Keywords);
    }

    [Fact]
    public async Task Auth_is_offered_on_cleartext_only_where_the_listener_allows_it()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Listeners:main:AllowCleartextAuth"] = "false" });
        await using var client = await host.OpenAsync();

        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.DoesNotContain("AUTH PLAIN LOGIN", ehlo.Keywords);
        var auth = await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}");
        Assert.Equal((538, "5.7.11"), auth.Status);

        await client.CommandAsync("STARTTLS");
        await client.StartTlsAsync();
        Assert.Contains("AUTH PLAIN LOGIN", (await client.CommandAsync("EHLO client.test")).Keywords);
        Assert.Equal((235, "2.7.0"), (await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Status);
    }

    [Fact]
    public async Task Helo_answers_without_extensions()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        var helo = await client.CommandAsync("HELO client.test");
        Assert.Equal(250, helo.Code);
        Assert.Single(helo.Lines);
    }

    [Fact]
    public async Task Auth_plain_with_initial_response_succeeds()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal((235, "2.7.0"), (await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Status);
    }

    [Fact]
    public async Task Auth_plain_without_initial_response_sends_an_empty_challenge()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        var challenge = await client.CommandAsync("AUTH PLAIN");
        Assert.Equal("334 ", challenge.Lines[0]);
        Assert.Equal((235, "2.7.0"), (await client.CommandAsync(RelayTestHost.PlainResponse)).Status);
    }

    [Fact]
    public async Task Auth_login_prompts_exactly_username_then_password()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal("334 VXNlcm5hbWU6", (await client.CommandAsync("AUTH LOGIN")).Lines[0]);
        Assert.Equal("334 UGFzc3dvcmQ6", (await client.CommandAsync(Base64(RelayTestHost.UserName))).Lines[0]);
        Assert.Equal((235, "2.7.0"), (await client.CommandAsync(Base64(RelayTestHost.Password))).Status);
    }

    [Fact]
    public async Task Auth_login_with_initial_response_prompts_only_for_the_password()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal("334 UGFzc3dvcmQ6", (await client.CommandAsync($"AUTH LOGIN {Base64(RelayTestHost.UserName)}")).Lines[0]);
        Assert.Equal((235, "2.7.0"), (await client.CommandAsync(Base64(RelayTestHost.Password))).Status);
    }

    [Theory]
    [InlineData("AUTH LOGIN", 1)]
    [InlineData("AUTH LOGIN", 2)]
    [InlineData("AUTH PLAIN", 1)]
    public async Task A_star_cancels_the_exchange_with_501(string command, int stepToCancel)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal(334, (await client.CommandAsync(command)).Code);
        if (stepToCancel == 2) Assert.Equal(334, (await client.CommandAsync(Base64(RelayTestHost.UserName))).Code);

        Assert.Equal(501, (await client.CommandAsync("*")).Code);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task Mail_rcpt_data_delivers_the_dot_unstuffed_message()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        Assert.Equal((250, "2.1.0"), (await client.CommandAsync("MAIL FROM:<sender@contoso.test>")).Status);
        Assert.Equal((250, "2.1.5"), (await client.CommandAsync("RCPT TO:<one@example.test>")).Status);
        Assert.Equal((250, "2.1.5"), (await client.CommandAsync("RCPT TO:<two@example.test>")).Status);
        Assert.Equal(354, (await client.CommandAsync("DATA")).Code);
        await client.SendRawAsync("Subject: dots\r\n\r\n..leading dot\r\n...two dots\r\nend\r\n.\r\n");

        var reply = await client.ReadReplyAsync();
        Assert.Equal((250, "2.0.0"), reply.Status);
        var file = Assert.Single(host.CapturedFiles());
        Assert.Equal("Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\nend\r\n", await File.ReadAllTextAsync(file));
        Assert.Contains(Path.GetFileNameWithoutExtension(file), reply.Text);
    }

    [Fact]
    public async Task Mail_from_accepts_size_body_and_smtputf8_parameters()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@contoso.test> SIZE=1000 BODY=8BITMIME SMTPUTF8")).Code);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<jörg@bücher.example>")).Code);
        Assert.Equal(250, (await client.CommandAsync("RSET")).Code);
        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<> BODY=7BIT")).Code);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@contoso.test> BODY=BINARYMIME", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@contoso.test> SIZE=abc", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@contoso.test> RET=HDRS", 555, "5.5.4")]
    [InlineData("MAIL FROM:<jörg@contoso.test>", 553, "5.6.7")]
    [InlineData("MAIL FROM:<not an address>", 501, "5.1.3")]
    public async Task Mail_from_refuses_bad_parameters_and_addresses(string command, int code, string status)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        Assert.Equal((code, status), (await client.CommandAsync(command)).Status);
    }

    [Fact]
    public async Task Rset_noop_vrfy_help_and_quit_answer_as_rfc_5321_says()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        await client.CommandAsync("MAIL FROM:<a@contoso.test>");

        Assert.Equal((250, "2.0.0"), (await client.CommandAsync("RSET")).Status);
        Assert.Equal((503, "5.5.1"), (await client.CommandAsync("RCPT TO:<b@example.test>")).Status); // RSET forgot the sender
        Assert.Equal((250, "2.0.0"), (await client.CommandAsync("NOOP")).Status);
        Assert.Equal((252, "2.5.0"), (await client.CommandAsync("VRFY someone")).Status);
        Assert.Equal(214, (await client.CommandAsync("HELP")).Code);
        Assert.Equal((221, "2.0.0"), (await client.CommandAsync("QUIT")).Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Commands_are_case_insensitive()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        Assert.Equal(250, (await client.CommandAsync("ehlo client.test")).Code);
        Assert.Equal(235, (await client.CommandAsync($"auth plain {RelayTestHost.PlainResponse}")).Code);
        Assert.Equal(250, (await client.CommandAsync("mail from:<a@contoso.test>")).Code);
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        await client.SendRawAsync("MAIL FROM:<a@contoso.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<bad address>\r\nDATA\r\n");

        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
        Assert.Equal(501, (await client.ReadReplyAsync()).Code);
        Assert.Equal(354, (await client.ReadReplyAsync()).Code);
        await client.SendRawAsync("Subject: pipelined\r\n\r\nbody\r\n.\r\n");
        Assert.Equal(250, (await client.ReadReplyAsync()).Code);
    }
}
