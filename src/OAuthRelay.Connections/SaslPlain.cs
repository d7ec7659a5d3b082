using System.Text;

namespace OAuthRelay.Connections;

/// <summary>Why a SASL PLAIN response could not be taken.</summary>
public enum SaslPlainError
{
    None,

    /// <summary>"*": the client gave up.</summary>
    Cancelled,

    /// <summary>Not base64, not UTF-8, or not authzid NUL authcid NUL password with a user name.</summary>
    Malformed,

    /// <summary>The client asked to act as someone else (a non-empty authorization identity other than its own).</summary>
    AuthorizationIdentity,
}

/// <summary>
/// The client's response to SASL PLAIN (RFC 4616): base64 of authzid NUL authcid NUL password. One decoder for SMTP,
/// IMAP and POP3, so an authorization identity means the same everywhere: empty or the user's own name, nothing else.
/// </summary>
public readonly record struct SaslPlain(string? UserName, string? Password, SaslPlainError Error)
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    public static SaslPlain Decode(string response)
    {
        if (response == "*") return new(null, null, SaslPlainError.Cancelled);
        string text;
        try
        {
            text = response == "=" ? string.Empty : StrictUtf8.GetString(Convert.FromBase64String(response));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return new(null, null, SaslPlainError.Malformed);
        }

        var parts = text.Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0) return new(null, null, SaslPlainError.Malformed);
        if (parts[0].Length > 0 && parts[0] != parts[1]) return new(null, null, SaslPlainError.AuthorizationIdentity);
        return new(parts[1], parts[2], SaslPlainError.None);
    }
}
