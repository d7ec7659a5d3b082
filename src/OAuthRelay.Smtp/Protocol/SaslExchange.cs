using System.Text;
using OAuthRelay.Connections;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Transport;

namespace OAuthRelay.Smtp.Protocol;

/// <summary>
/// The client side of AUTH PLAIN (RFC 4616, decoded as for IMAP and POP3) and AUTH LOGIN, with or without an initial response (RFC 4954).
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
        var (line, error) = await ResponseAsync(initialResponse, string.Empty, challenge);
        if (line is null) return new Outcome(null, error);
        var plain = SaslPlain.Decode(line);
        return plain.Error switch
        {
            SaslPlainError.None => new Outcome(new SmtpCredentials("PLAIN", plain.UserName!, plain.Password!), null),
            SaslPlainError.Cancelled => new Outcome(null, SmtpReplies.AuthCancelled),
            SaslPlainError.AuthorizationIdentity => new Outcome(null, SmtpReplies.AuthorizationIdentityNotSupported),
            _ => new Outcome(null, SmtpReplies.MalformedAuthResponse),
        };
    }

    private static async ValueTask<Outcome> LoginAsync(string? initialResponse, Challenge challenge)
    {
        var user = await AnswerAsync(initialResponse, UserNamePrompt, challenge);
        if (user.Text is null) return new Outcome(null, user.Error);
        if (user.Text.Length == 0) return new Outcome(null, SmtpReplies.MalformedAuthResponse);
        var password = await AnswerAsync(null, PasswordPrompt, challenge);
        if (password.Text is null) return new Outcome(null, password.Error);
        return new Outcome(new SmtpCredentials("LOGIN", user.Text, password.Text), null);
    }

    /// <summary>The initial response, or the client's answer to a challenge; neither when it closed.</summary>
    private static async ValueTask<(string? Line, SmtpReply? Error)> ResponseAsync(string? initialResponse, string prompt, Challenge challenge)
    {
        if (initialResponse is not null) return (initialResponse, null);
        var read = await challenge(prompt);
        return (read.Line, read.Error);
    }

    private static async ValueTask<(string? Text, SmtpReply? Error)> AnswerAsync(string? initialResponse, string prompt, Challenge challenge)
    {
        var (line, error) = await ResponseAsync(initialResponse, prompt, challenge);
        if (line is null) return (null, error);
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
