using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OAuthRelay.Upstream;

/// <summary>Upstream:TrustedCaFile, the operator's extra CA certificates (PEM); a file that yields none is a mistake, not an empty trust list.</summary>
public static class TrustedCaFile
{
    /// <exception cref="InvalidOperationException">The file cannot be read or holds no PEM certificate.</exception>
    public static X509Certificate2Collection Load(string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"Upstream:TrustedCaFile {path} cannot be read: {e.Message}");
        }

        return collection.Count > 0 ? collection : throw new InvalidOperationException($"Upstream:TrustedCaFile {path} holds no PEM certificate.");
    }
}
