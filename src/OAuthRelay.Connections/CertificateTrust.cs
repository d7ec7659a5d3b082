using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OAuthRelay.Connections;

/// <summary>
/// Decides whether a server's certificate is trusted, for every outbound TLS connection (mail upstreams, Entra ID):
/// the platform's verdict (trust store, name, validity, revocation as configured), and where the chain is its only
/// complaint, a second chain to the operator's extra CAs (a private CA, a TLS-inspecting proxy) built with the
/// intermediates the server sent in its handshake, for server use only. Nothing else is accepted, and a refusal
/// comes with a reason that names the certificate: a TLS failure alone does not tell an operator what to fix.
/// </summary>
public sealed class CertificateTrust(X509Certificate2Collection? extraRoots, X509RevocationMode revocation)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>The CA certificates of a PEM file (<paramref name="setting"/> names it in errors), or null without a file.</summary>
    /// <exception cref="InvalidOperationException">The file cannot be read or holds no PEM certificate.</exception>
    public static X509Certificate2Collection? LoadRoots(string? path, string setting)
    {
        if (path is null) return null;
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"{setting} {path} cannot be read: {e.Message}");
        }

        return collection.Count > 0 ? collection : throw new InvalidOperationException($"{setting} {path} holds no PEM certificate.");
    }

    /// <summary>Why the certificate is refused, or null when it is trusted.</summary>
    public string? Refusal(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return null;
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return "no certificate presented";
        List<string> reasons = [];
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) reasons.Add("name mismatch");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && ChainProblems(certificate, chain) is { } problems) reasons.Add($"not trusted: {problems}");
        return reasons.Count == 0 ? null : $"certificate for {certificate.Subject} {string.Join("; ", reasons)}";
    }

    /// <summary>What is wrong with the chain, or null when it leads to one of the operator's CAs.</summary>
    private string? ChainProblems(X509Certificate certificate, X509Chain? system)
    {
        if (extraRoots is null) return Describe(system?.ChainStatus);
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        // The intermediates the server sent in its handshake, so the operator's file need hold only the root.
        if (system is not null) custom.ChainPolicy.ExtraStore.AddRange(system.ChainPolicy.ExtraStore);
        custom.ChainPolicy.RevocationMode = revocation;
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        return custom.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate)) ? null : Describe(custom.ChainStatus);
    }

    private static string Describe(X509ChainStatus[]? statuses) =>
        statuses is { Length: > 0 } ? string.Join(", ", statuses.Select(s => s.Status).Distinct()) : "chain error";
}
