using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using OAuthRelay.Tokens.Cache;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Tokens.Msal;

/// <summary>
/// Builds the MSAL application for an account: confidential (secret or certificate) or public, pointed at the
/// configured authority with instance discovery off, its cache persisted in the account's encrypted file.
/// </summary>
public sealed class MsalApplicationFactory(IMsalHttpClientFactory httpClients, ILoggerFactory loggers)
{
    private readonly ILogger _msalLogger = loggers.CreateLogger("OAuthRelay.Tokens.Msal");

    internal IClientApplicationBase Create(string name, AccountOptions account, EncryptedTokenCacheFile cacheFile)
    {
        if (string.IsNullOrWhiteSpace(account.ClientId)) throw new InvalidOperationException($"Account {name}: ClientId is missing.");
        if (account.HasClientCredential)
        {
            var builder = Common(ConfidentialClientApplicationBuilder.Create(account.ClientId), account);
            builder = account.CertificatePath is not null ? builder.WithCertificate(LoadCertificate(name, account)) : builder.WithClientSecret(ClientSecret(name, account));
            var confidential = builder.Build();
            cacheFile.Attach(account.Flow == AccountFlow.App ? confidential.AppTokenCache : confidential.UserTokenCache);
            return confidential;
        }

        if (account.Flow == AccountFlow.App) throw new InvalidOperationException($"Account {name}: the app (client credentials) flow needs ClientSecret, ClientSecretFile or CertificatePath.");
        var pub = Common(PublicClientApplicationBuilder.Create(account.ClientId), account).Build();
        cacheFile.Attach(pub.UserTokenCache);
        return pub;
    }

    private T Common<T>(T builder, AccountOptions account) where T : AbstractApplicationBuilder<T> =>
        builder.WithAuthority(account.Authority.ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithRedirectUri(account.RedirectUri)
            .WithHttpClientFactory(httpClients)
            .WithLogging((level, message, pii) => MsalLogBridge.Write(_msalLogger, level, message, pii), Microsoft.Identity.Client.LogLevel.Info, enablePiiLogging: false, enableDefaultPlatformLogging: false);

    private static string ClientSecret(string name, AccountOptions account)
    {
        if (account.ClientSecret is not null) return account.ClientSecret;
        var path = account.ClientSecretFile!;
        if (!File.Exists(path)) throw new InvalidOperationException($"Account {name}: ClientSecretFile {path} does not exist.");
        return File.ReadAllText(path).Trim();
    }

    private static X509Certificate2 LoadCertificate(string name, AccountOptions account)
    {
        var path = account.CertificatePath!;
        if (!File.Exists(path)) throw new InvalidOperationException($"Account {name}: CertificatePath {path} does not exist.");
        return account.CertificateKeyPath is not null
            ? X509Certificate2.CreateFromPemFile(path, account.CertificateKeyPath)
            : X509CertificateLoader.LoadPkcs12FromFile(path, account.CertificatePassword);
    }
}
