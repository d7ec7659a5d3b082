using System.Text;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Smtp;

/// <summary>Bad input gets the right reply, never crashes the server and never leaks state between sessions.</summary>
public sealed class BadInputTests
{

    [Theory]
    [InlineData("MAIL FROM:<a@contoso.test>", 503)] // before EHLO
    [InlineData("RCPT TO:<a@contoso.test>", 503)]
    [InlineData("DATA", 503)]
    [InlineData("AUTH PLAIN", 503)] // AUTH needs EHLO first
    public async Task Commands_out_of_sequence_get_503_5_5_1(string command, int code)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        Assert.Equal((code, "5.5.1"), (await client.CommandAsync(command)).Status);
    }

    [Fact]
    public async Task Nested_mail_and_data_without_recipients_get_503_5_5_1()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        await client.CommandAsync("MAIL FROM:<a@contoso.test>");
        Assert.Equal((503, "5.5.1"), (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Status);
        Assert.Equal((503, "5.5.1"), (await client.CommandAsync("DATA")).Status);
        Assert.Equal((503, "5.5.1"), (await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Status);
    }

    [Theory]
    [InlineData("EHLO")]
    [InlineData("MAIL FROM:a@contoso.test")]
    [InlineData("MAIL TO:<a@contoso.test>")]
    [InlineData("RSET now")]
    [InlineData("VRFY")]
    [InlineData("AUTH PLAIN a b c")]
    public async Task Syntax_errors_get_501_5_5_4(string command)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        if (!command.StartsWith("EHLO")) await client.CommandAsync("EHLO client.test");
        if (command.StartsWith("MAIL")) await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}");
        Assert.Equal((501, "5.5.4"), (await client.CommandAsync(command)).Status);
    }

    [Theory]
    [InlineData("FOO")]
    [InlineData("")]
    [InlineData("GET / HTTP/1.1")]
    public async Task Unknown_commands_get_500_5_5_1(string command)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        Assert.Equal((500, "5.5.1"), (await client.CommandAsync(command)).Status);
    }

    [Fact]
    public async Task Mail_before_auth_where_auth_is_required_gets_530_5_7_0()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal((530, "5.7.0"), (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Status);
    }

    [Fact]
    public async Task A_client_on_a_trusted_network_sends_without_auth()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Clients:printer:Networks:0"] = "127.0.0.0/8" });
        await using var client = await host.OpenAsync();
        Assert.Equal(250, (await client.SendMessageAsync("printer@contoso.test", "b@example.test", "Subject: scan\r\n\r\nscan")).Code);
    }

    [Fact]
    public async Task Wrong_credentials_get_535_5_7_8_and_the_log_names_the_user_but_not_the_password()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        var wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{RelayTestHost.UserName}\0Sup3r-Secret-Guess"));
        Assert.Equal((535, "5.7.8"), (await client.CommandAsync($"AUTH PLAIN {wrong}")).Status);
        Assert.Equal((535, "5.7.8"), ((await client.CommandAsync($"AUTH PLAIN {Convert.ToBase64String("\0nobody@contoso.test\0x"u8.ToArray())}"))).Status);

        Assert.Contains(host.Logs.Lines, l => l.Contains("AUTH failed") && l.Contains(RelayTestHost.UserName));
        Assert.DoesNotContain("Sup3r-Secret-Guess", host.Logs.All);
        Assert.DoesNotContain(wrong, host.Logs.All);
    }

    [Theory]
    [InlineData("AUTH PLAIN !!!notbase64")]
    [InlineData("AUTH LOGIN %%%")]
    public async Task Bad_base64_gets_501_5_5_2(string command)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal((501, "5.5.2"), (await client.CommandAsync(command)).Status);
    }

    [Theory]
    [InlineData("NOOP\0\r\n")]
    [InlineData("NOOP\n")]
    [InlineData("NO\rOP\r\n")]
    public async Task Nul_bare_cr_and_bare_lf_in_commands_get_500_5_5_2(string raw)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.SendRawAsync(raw);
        Assert.Equal((500, "5.5.2"), (await client.ReadReplyAsync()).Status);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code);
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\r.\r")]
    [InlineData("\r\n.\n")]
    [InlineData("\n.\r\n")]
    public async Task Only_crlf_dot_crlf_ends_data_so_smuggled_commands_stay_content(string fakeEnd)
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Clients:tools:Networks:0"] = "127.0.0.0/8" });
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@contoso.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        var smuggled = $"Subject: x\r\n\r\nbody{fakeEnd}MAIL FROM:<evil@example.test>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\n";
        await client.SendRawAsync(smuggled + "tail\r\n.\r\n");

        var reply = await client.ReadReplyAsync();
        Assert.Equal(250, reply.Code);
        Assert.Equal(250, (await client.CommandAsync("NOOP")).Code); // the next reply is NOOP's: nothing smuggled ran
        var file = Assert.Single(host.CapturedFiles());
        var captured = await File.ReadAllTextAsync(file);
        Assert.Contains("MAIL FROM:<evil@example.test>", captured);
        Assert.EndsWith("tail\r\n", captured);
    }

    [Fact]
    public async Task Commands_pipelined_behind_starttls_are_discarded()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");

        await client.SendRawAsync("STARTTLS\r\nRSET\r\n");
        Assert.Equal(220, (await client.ReadReplyAsync()).Code);
        await client.StartTlsAsync();

        // Had RSET run, its "250 2.0.0 Reset state" would come before NOOP's reply.
        var first = await client.CommandAsync("NOOP");
        Assert.Equal("250 2.0.0 OK", first.Lines[0]);
        Assert.Contains(host.Logs.Lines, l => l.Contains("pipelined after STARTTLS"));
    }

    [Fact]
    public async Task Starttls_resets_helo_auth_and_the_transaction_and_a_second_starttls_is_refused()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal(235, (await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);
        await client.CommandAsync("STARTTLS");
        await client.StartTlsAsync();

        Assert.Equal((503, "5.5.1"), (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Status); // EHLO forgotten
        await client.CommandAsync("EHLO client.test");
        Assert.Equal((530, "5.7.0"), (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Status); // AUTH forgotten
        Assert.Equal((503, "5.5.1"), (await client.CommandAsync("STARTTLS")).Status);
    }

    [Fact]
    public async Task Auth_after_a_successful_auth_is_refused()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        Assert.Equal((503, "5.5.1"), (await client.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Status);
    }

    [Fact]
    public async Task Starttls_on_a_listener_without_tls_is_not_implemented()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Listeners:main:Tls"] = "None" });
        await using var client = await host.OpenAsync();
        Assert.DoesNotContain("STARTTLS", (await client.CommandAsync("EHLO client.test")).Keywords);
        Assert.Equal((502, "5.5.1"), (await client.CommandAsync("STARTTLS")).Status);
    }

    [Fact]
    public async Task Too_many_protocol_errors_disconnect()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxErrors"] = "3" });
        await using var client = await host.OpenAsync();
        for (var i = 0; i < 3; i++) Assert.Equal(500, (await client.CommandAsync("BOGUS")).Code);
        Assert.Equal((421, "4.7.0"), (await client.ReadReplyAsync()).Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    public static TheoryData<string, string> OverLongPaths => new()
    {
        { $"MAIL FROM:<{new string('a', 65)}@contoso.test>", "local part longer than 64 octets" },
        { $"MAIL FROM:<{new string('ü', 33)}@contoso.test> SMTPUTF8", "local part longer than 64 octets" }, // 33 characters, 66 octets
        { $"RCPT TO:<b@{DomainOf(256)}>", "domain longer than 255 octets" },
        { $"RCPT TO:<{new string('b', 64)}@{DomainOf(190)}>", "path longer than 256 octets" }, // 257 with the brackets
    };

    /// <summary>A well-formed domain of exactly <paramref name="octets"/> octets: labels of 63 letters and dots.</summary>
    private static string DomainOf(int octets) => new([.. Enumerable.Range(0, octets).Select(i => i % 64 == 63 && i < octets - 1 ? '.' : 'x')]);

    [Theory]
    [MemberData(nameof(OverLongPaths))]
    public async Task Paths_over_the_rfc_5321_length_limits_get_501_5_1_3(string command, string limit)
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        if (command.StartsWith("RCPT")) Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);

        var reply = await client.CommandAsync(command);
        Assert.Equal((501, "5.1.3"), reply.Status);
        Assert.Equal($"5.1.3 Address too long: {limit}", reply.Text);
    }

    [Fact]
    public async Task Paths_at_the_rfc_5321_length_limits_are_accepted()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        var longest = $"{new string('a', 64)}@{DomainOf(189)}"; // 256 octets with the brackets

        Assert.Equal(250, (await client.CommandAsync($"MAIL FROM:<{longest}>")).Code);
        Assert.Equal(250, (await client.CommandAsync($"RCPT TO:<{longest}>")).Code);
    }

    [Fact]
    public async Task A_non_ascii_recipient_without_smtputf8_on_its_transactions_mail_gets_553_5_6_7()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using var client = await host.OpenAuthenticatedAsync();
        await client.CommandAsync("MAIL FROM:<a@contoso.test> SMTPUTF8");
        await client.CommandAsync("RSET"); // SMTPUTF8 belonged to that transaction only

        Assert.Equal(250, (await client.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
        Assert.Equal((553, "5.6.7"), (await client.CommandAsync("RCPT TO:<jörg@bücher.example>")).Status);
        Assert.Equal(250, (await client.CommandAsync("RCPT TO:<joerg@buecher.example>")).Code);
    }

    [Fact]
    public async Task State_never_leaks_between_sessions()
    {
        await using var host = await RelayTestHost.StartAsync();
        await using (var first = await host.OpenAsync())
        {
            await first.CommandAsync("EHLO client.test");
            await first.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}");
            Assert.Equal(250, (await first.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
        }

        await using var second = await host.OpenAsync();
        Assert.Equal(503, (await second.CommandAsync("RCPT TO:<b@example.test>")).Code);
        await second.CommandAsync("EHLO client.test");
        Assert.Equal(530, (await second.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
    }

    [Fact]
    public async Task Garbage_never_takes_the_server_down()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Smtp:MaxErrors"] = "1000" });
        var random = new Random(5321);
        await using (var client = await host.OpenAsync())
        {
            for (var i = 0; i < 200; i++)
            {
                var bytes = new byte[random.Next(1, 300)];
                random.NextBytes(bytes);
                bytes[^1] = (byte)'\n';
                await client.SendRawAsync(bytes);
            }

            await client.SendRawAsync("\r\nQUIT\r\n");
        }

        // A new connection still gets a full conversation.
        await using var next = await host.OpenAsync();
        await next.CommandAsync("EHLO client.test");
        await next.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}");
        Assert.Equal(250, (await next.SendMessageAsync("a@contoso.test", "b@example.test", "Subject: after garbage\r\n\r\nstill here")).Code);
    }
}
