using System.Text;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Transport;

namespace OAuthRelay.Smtp.Protocol;

/// <summary>
/// The client side of AUTH PLAIN (RFC 4616) and AUTH LOGIN, with or without an initial response (RFC 4954).
/// Yields credentials, an error reply, or neither when the connection closed mid-exchange.
/// </summary>
internal static class SaslExchange
{
    public const string UserNamePrompt = "VXNlcm5hbWU6"; // base64 "Username:", the exact prompt JavaMail and others expect
    public const string PasswordPrompt = "UGFzc3dvcmQ6"; // base64 "Password:"

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    public readonly record struct Outcome(SmtpCredentials? Credentials, SmtpReply? Error)
    {
        public bool ConnectionClosed => Credentials is null && Error is null;
    }

    /// <summary>Sends a 334 challenge and returns the client's answer line.</summary>
    public delegate ValueTask<LineReadResult> Challenge(string base64Challenge);

    public static bool Supports(string mechanism) => mechanism is "PLAIN" or "LOGIN";

    public static ValueTask<Outcome> RunAsync(string mechanism, string? initialResponse, Challenge challenge) =>
        mechanism == "PLAIN" ? PlainAsync(initialResponse, challenge) : LoginAsync(initialResponse, challenge);

    private static async ValueTask<Outcome> PlainAsync(string? initialResponse, Challenge challenge)
    {
        var response = await AnswerAsync(initialResponse, string.Empty, challenge);
        if (response.Text is null) return new Outcome(null, response.Error);
        var parts = response.Text.Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0) return new Outcome(null, SmtpReplies.MalformedAuthResponse);
        return new Outcome(new SmtpCredentials("PLAIN", parts[0], parts[1], parts[2]), null);
    }

    private static async ValueTask<Outcome> LoginAsync(string? initialResponse, Challenge challenge)
    {
        var user = await AnswerAsync(initialResponse, UserNamePrompt, challenge);
        if (user.Text is null) return new Outcome(null, user.Error);
        if (user.Text.Length == 0) return new Outcome(null, SmtpReplies.MalformedAuthResponse);
        var password = await AnswerAsync(null, PasswordPrompt, challenge);
        if (password.Text is null) return new Outcome(null, password.Error);
        return new Outcome(new SmtpCredentials("LOGIN", string.Empty, user.Text, password.Text), null);
    }

    private static async ValueTask<(string? Text, SmtpReply? Error)> AnswerAsync(string? initialResponse, string prompt, Challenge challenge)
    {
        var line = initialResponse;
        if (line is null)
        {
            var read = await challenge(prompt);
            if (read.Error is not null) return (null, read.Error);
            if (read.IsClosed) return (null, null);
            line = read.Line!;
        }

        if (line == "*") return (null, SmtpReplies.AuthCancelled);
        if (line == "=") return (string.Empty, null); // RFC 4954: "=" is an empty initial response
        try
        {
            return (StrictUtf8.GetString(Convert.FromBase64String(line)), null);
        }
        catch (FormatException)
        {
            return (null, SmtpReplies.InvalidBase64);
        }
        catch (DecoderFallbackException)
        {
            return (null, SmtpReplies.MalformedAuthResponse);
        }
    }
}
