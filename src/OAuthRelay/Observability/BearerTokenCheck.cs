using System.Security.Cryptography;
using System.Text;

namespace OAuthRelay.Observability;

/// <summary>
/// Checks an Authorization header against the admin bearer token: the scheme in any case (RFC 9110 11.1 says
/// schemes are case-insensitive, and some tools write "bearer"), the token exactly and in constant time.
/// No token configured means everyone is allowed.
/// </summary>
internal sealed class BearerTokenCheck(string? token)
{
    private readonly byte[]? _expected = token is null ? null : Encoding.UTF8.GetBytes(token);

    public bool Allows(string authorization)
    {
        if (_expected is null) return true;
        var space = authorization.IndexOf(' ');
        return space > 0
            && authorization.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[(space + 1)..].TrimStart(' ')), _expected);
    }
}
