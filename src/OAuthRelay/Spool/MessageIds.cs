using System.Security.Cryptography;

namespace OAuthRelay.Spool;

/// <summary>The relay's own message ids: sortable by time, unique without coordination, safe as file names.</summary>
public static class MessageIds
{
    public static string New(TimeProvider time) =>
        $"{time.GetUtcNow():yyyyMMddTHHmmssfff}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    /// <summary>Whether a text that claims to be an id (from an operator, say) is safe to name a file with: letters, digits and hyphens.</summary>
    public static bool IsSafe(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
