using System.Security.Cryptography;
using System.Text;

namespace OAuthRelay.Clients;

/// <summary>
/// PBKDF2-HMAC-SHA512 password hashes in the form <c>$pbkdf2-sha512$i=ITERATIONS$SALT$HASH</c> (base64).
/// The iteration count travels with the hash, so it can be raised later without invalidating old entries.
/// </summary>
public static class PasswordHasher
{
    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA512.</summary>
    public const int DefaultIterations = 210_000;

    public const int MinimumIterations = 100_000;

    private const string Prefix = "$pbkdf2-sha512$i=";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        if (iterations < MinimumIterations) throw new ArgumentOutOfRangeException(nameof(iterations), $"Use at least {MinimumIterations} iterations.");
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, iterations);
        return $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>
    /// A well-formed hash that no password matches (random salt and hash), costing <paramref name="iterations"/> to
    /// verify like any other; made without running PBKDF2.
    /// </summary>
    public static string Decoy(int iterations) =>
        $"{Prefix}{iterations}${Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltBytes))}${Convert.ToBase64String(RandomNumberGenerator.GetBytes(HashBytes))}";

    /// <summary>Whether <paramref name="encoded"/> is a hash this class can verify; used to reject bad configuration early.</summary>
    public static bool IsWellFormed(string encoded) => TryParse(encoded, out _, out _, out _);

    /// <summary>The iteration count of a well-formed hash; 0 otherwise.</summary>
    public static int Iterations(string encoded) => TryParse(encoded, out var iterations, out _, out _) ? iterations : 0;

    public static bool Verify(string password, string encoded)
    {
        if (!TryParse(encoded, out var iterations, out var salt, out var expected)) return false;
        return CryptographicOperations.FixedTimeEquals(Derive(password, salt, iterations), expected);
    }

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, HashBytes);

    private static bool TryParse(string encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        if (!encoded.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = encoded[Prefix.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], out iterations) || iterations < MinimumIterations) return false;
        try
        {
            salt = Convert.FromBase64String(parts[1]);
            hash = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= SaltBytes && hash.Length == HashBytes;
    }
}
