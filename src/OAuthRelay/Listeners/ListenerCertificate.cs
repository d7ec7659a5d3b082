using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OAuthRelay.Listeners;

/// <summary>A listener's certificate from its PEM files; every way that fails is one line naming the listener and the file.</summary>
public static class ListenerCertificate
{
    /// <returns>The certificate, or null when the listener names no files (a self-signed one is made at start).</returns>
    /// <exception cref="InvalidOperationException">The files are missing, unreadable, or the key does not belong to the certificate.</exception>
    public static X509Certificate2? Load(string listener, ListenerOptions options)
    {
        if (options.CertificatePath is null && options.KeyPath is null) return null;
        if (options.CertificatePath is null || options.KeyPath is null) throw Invalid(listener, "set both CertificatePath and KeyPath, or neither");
        if (!File.Exists(options.CertificatePath)) throw Invalid(listener, $"CertificatePath {options.CertificatePath} does not exist");
        if (!File.Exists(options.KeyPath)) throw Invalid(listener, $"KeyPath {options.KeyPath} does not exist");
        try
        {
            return X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
        }
        catch (ArgumentException)
        {
            throw Invalid(listener, $"the key in {options.KeyPath} does not match the certificate in {options.CertificatePath}");
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw Invalid(listener, $"the certificate {options.CertificatePath} with the key {options.KeyPath} cannot be loaded: {e.Message}");
        }
    }

    /// <summary>Why a client that verifies certificates refuses this one at <paramref name="now"/>, or null.</summary>
    public static string? ValidityProblem(string listener, string path, X509Certificate2 certificate, DateTimeOffset now)
    {
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var problem = now > notAfter ? $"expired on {notAfter:yyyy-MM-dd HH:mm} UTC"
            : now < notBefore ? $"is not valid until {notBefore:yyyy-MM-dd HH:mm} UTC"
            : null;
        return problem is null ? null : $"Listener '{listener}': the certificate {path} {problem}; clients that verify certificates refuse it.";
    }

    private static InvalidOperationException Invalid(string listener, string problem) => new($"Listener '{listener}': {problem}.");
}
