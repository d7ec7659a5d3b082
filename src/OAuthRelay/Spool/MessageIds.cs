using System.Security.Cryptography;

namespace OAuthRelay.Spool;

/// <summary>The relay's own message ids: sortable by time, unique without coordination, safe as file names.</summary>
public static class MessageIds
{
    public static string New(TimeProvider time) =>
        $"{time.GetUtcNow():yyyyMMddTHHmmssfff}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
}
