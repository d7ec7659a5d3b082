using System.Text;

namespace OAuthRelay.Mailbox.Server;

/// <summary>The client's response to SASL PLAIN (RFC 4616): base64 of authzid NUL authcid NUL password.</summary>
internal readonly record struct SaslPlain(string? UserName, string? Password, string? Error)
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    public static SaslPlain Decode(string response)
    {
        if (response == "*") return new(null, null, "Authentication cancelled");
        string text;
        try
        {
            text = response == "=" ? string.Empty : StrictUtf8.GetString(Convert.FromBase64String(response));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return new(null, null, "Invalid base64 in authentication response");
        }

        var parts = text.Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0) return new(null, null, "Malformed PLAIN response");
        // Logging in as someone else (a non-empty, different authorization identity) is not offered.
        if (parts[0].Length > 0 && parts[0] != parts[1]) return new(null, null, "Authorization identity not supported");
        return new(parts[1], parts[2], null);
    }
}
