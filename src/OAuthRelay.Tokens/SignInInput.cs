using System.Text.Json;
using System.Web;

namespace OAuthRelay.Tokens;

/// <summary>Reads what operators paste, at the command line or in the console: the seed's curl output or a bare refresh token; a redirect URL or a bare code.</summary>
public static class SignInInput
{
    /// <summary>A refresh token from raw text or from the token endpoint's JSON answer (the seed's curl output).</summary>
    public static string RefreshToken(string text)
    {
        text = text.Trim();
        if (!text.StartsWith('{')) return text.Length > 0 ? text : throw new FormatException("No refresh token given.");
        using var json = JsonDocument.Parse(text);
        if (json.RootElement.TryGetProperty("refresh_token", out var token) && token.GetString() is { Length: > 0 } value) return value;
        var error = json.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        throw new FormatException(error is null
            ? "The JSON has no refresh_token (was offline_access in the scope?)."
            : $"The JSON is an error from Entra ID ({error}), not a token: repeat the sign-in.");
    }

    /// <summary>The authorization code from a pasted redirect URL (…?code=…&amp;session_state=…) or the bare code.</summary>
    public static string AuthorizationCode(string text)
    {
        text = text.Trim();
        var query = text.Contains('?') ? text[(text.IndexOf('?') + 1)..] : text.Contains("code=") ? text : null;
        if (query is null) return text.Length > 0 ? text : throw new FormatException("No code given.");
        var parameters = HttpUtility.ParseQueryString(query.Split('#')[0]);
        if (parameters["code"] is { Length: > 0 } code) return code;
        throw new FormatException(parameters["error"] is { } error
            ? $"The redirect carries an error ({error}: {parameters["error_description"]}), not a code."
            : "The URL has no code parameter.");
    }
}
