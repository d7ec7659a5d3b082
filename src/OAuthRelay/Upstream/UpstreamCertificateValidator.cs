using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace OAuthRelay.Upstream;

/// <summary>
/// Certificate validation for every upstream connection (SMTP, IMAP, POP3): the system's verdict (trust store, name,
/// validity, revocation as configured), and where the chain is its only complaint, a second chain to the operator's
/// extra CAs (Upstream:TrustedCaFile) for private setups and tests. Nothing else is accepted, and every refusal is
/// logged with its reason: a TLS failure alone does not tell an operator which certificate to fix.
/// </summary>
internal sealed partial class UpstreamCertificateValidator(IOptions<UpstreamOptions> options, ILogger<UpstreamCertificateValidator> logger)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly X509Certificate2Collection? _trustedCas = LoadCas(options.Value.TrustedCaFile);

    public bool CheckRevocation => options.Value.CheckCertificateRevocation;

    public X509RevocationMode RevocationMode => CheckRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;

    /// <summary>
    /// The callback for a connection to <paramref name="host"/>. Always installed: without one, MailKit falls back to
    /// its own default, which also accepts an untrusted root for a built-in list of well-known mail servers.
    /// </summary>
    public RemoteCertificateValidationCallback CallbackFor(string host, int port) =>
        (_, certificate, chain, errors) => Validate($"{host}:{port}", certificate, chain, errors);

    private bool Validate(string upstream, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var reason = Refusal(certificate, chain, errors);
        if (reason is null) return true;
        LogRefused(upstream, reason);
        return false;
    }

    /// <summary>Why the certificate is refused, or null when it is good.</summary>
    private string? Refusal(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return "no certificate presented";
        List<string> reasons = [];
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) reasons.Add("name mismatch");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && ChainProblems(certificate, chain) is { } problems) reasons.Add($"not trusted: {problems}");
        return reasons.Count == 0 ? null : $"certificate for {certificate.Subject} {string.Join("; ", reasons)}";
    }

    /// <summary>What is wrong with the chain, or null when it leads to one of the operator's CAs.</summary>
    private string? ChainProblems(X509Certificate certificate, X509Chain? system)
    {
        if (_trustedCas is null) return Describe(system?.ChainStatus);
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trustedCas);
        // The intermediates the server sent in its handshake, so the operator's file need hold only the root.
        if (system is not null) custom.ChainPolicy.ExtraStore.AddRange(system.ChainPolicy.ExtraStore);
        custom.ChainPolicy.RevocationMode = RevocationMode;
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        return custom.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate)) ? null : Describe(custom.ChainStatus);
    }

    private static string Describe(X509ChainStatus[]? statuses) =>
        statuses is { Length: > 0 } ? string.Join(", ", statuses.Select(s => s.Status).Distinct()) : "chain error";

    private static X509Certificate2Collection? LoadCas(string? file)
    {
        if (file is null) return null;
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(file);
        return collection;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS to upstream {Upstream} refused: {Reason}")]
    private partial void LogRefused(string upstream, string reason);
}
