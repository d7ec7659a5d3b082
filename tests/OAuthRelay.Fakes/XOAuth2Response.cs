using System.Text;

namespace OAuthRelay.Fakes;

/// <summary>The SASL XOAUTH2 initial response: base64 of "user=" user ^A "auth=Bearer " token ^A ^A.</summary>
public static class XOAuth2Response
{
    public static (string User, string Token) Parse(string base64)
    {
        var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('\x01');
        var user = parts[0].StartsWith("user=") ? parts[0][5..] : "";
        var token = parts.Length > 1 && parts[1].StartsWith("auth=Bearer ") ? parts[1][12..] : "";
        return (user, token);
    }
}
