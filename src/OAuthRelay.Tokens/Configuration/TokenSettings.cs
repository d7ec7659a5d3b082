using OAuthRelay.Tokens.Cache;

namespace OAuthRelay.Tokens.Configuration;

/// <summary>
/// Checks the Accounts and Tokens sections as the token service uses them at start, each problem in one line naming
/// the account and the setting; the service itself fails with the same messages.
/// </summary>
public static class TokenSettings
{
    public static IEnumerable<string> Problems(IReadOnlyDictionary<string, AccountOptions> accounts, TokenServiceOptions options)
    {
        foreach (var (name, account) in accounts)
        {
            foreach (var problem in AccountProblems(name, account)) yield return problem;
        }

        if (KeyProblem(options) is { } keyProblem) yield return keyProblem;
    }

    /// <summary>Why a relay with shared state does not start without a configured key.</summary>
    public static string SharedKeyMissing => TokenCacheKey.SharedKeyMissing;

    internal static IEnumerable<string> AccountProblems(string name, AccountOptions account)
    {
        if (string.IsNullOrWhiteSpace(account.ClientId)) yield return $"Account '{name}': ClientId is missing.";
        if (account.Flow == AccountFlow.App && !account.HasClientCredential)
            yield return $"Account '{name}': the app (client credentials) flow needs ClientSecret, ClientSecretFile or CertificatePath.";
        if (account.Transport == AccountTransport.Graph)
        {
            foreach (var (setting, url) in new[] { ("GraphBaseUrl", account.GraphBaseUrl), ("GraphResource", account.GraphResource) })
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps)
                    yield return $"Account '{name}': {setting} '{url}' is not an https URL.";
            }
        }

        foreach (var (setting, path) in new[] { ("ClientSecretFile", account.ClientSecretFile), ("CertificatePath", account.CertificatePath), ("CertificateKeyPath", account.CertificateKeyPath) })
        {
            if (path is not null && !File.Exists(path)) yield return $"Account '{name}': {setting} {path} does not exist.";
        }
    }

    private static string? KeyProblem(TokenServiceOptions options)
    {
        try
        {
            TokenCacheKey.ReadConfigured(options);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
