using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using OAuthRelay.Tokens.Cache;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Tokens.Msal;

/// <summary>
/// Builds the MSAL application for an account: confidential (secret or certificate) or public, pointed at the
/// configured authority with instance discovery off, its cache persisted in the account's encrypted store.
/// </summary>
public sealed class MsalApplicationFactory(IMsalHttpClientFactory httpClients, ILoggerFactory loggers)
{
    private readonly ILogger _msalLogger = loggers.CreateLogger("OAuthRelay.Tokens.Msal");

    internal IClientApplicationBase Create(string name, AccountOptions account, ITokenCacheStore cache)
    {
        if (TokenSettings.AccountProblems(name, account).FirstOrDefault() is { } problem) throw new InvalidOperationException(problem);
        if (account.HasClientCredential)
        {
            var builder = Common(ConfidentialClientApplicationBuilder.Create(account.ClientId), account);
            builder = account.CertificatePath is not null ? builder.WithCertificate(LoadCertificate(account)) : builder.WithClientSecret(ClientSecret(account));
            var confidential = builder.Build();
            cache.Attach(account.Flow == AccountFlow.App ? confidential.AppTokenCache : confidential.UserTokenCache);
            return confidential;
        }

        var pub = Common(PublicClientApplicationBuilder.Create(account.ClientId), account).Build();
        cache.Attach(pub.UserTokenCache);
        return pub;
    }

    private T Common<T>(T builder, AccountOptions account) where T : AbstractApplicationBuilder<T> =>
        builder.WithAuthority(account.Authority.ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithRedirectUri(account.RedirectUri)
            .WithHttpClientFactory(httpClients)
            .WithLogging((level, message, pii) => MsalLogBridge.Write(_msalLogger, level, message, pii), Microsoft.Identity.Client.LogLevel.Info, enablePiiLogging: false, enableDefaultPlatformLogging: false);

    private static string ClientSecret(AccountOptions account) => account.ClientSecret ?? File.ReadAllText(account.ClientSecretFile!).Trim();

    private static X509Certificate2 LoadCertificate(AccountOptions account) => account.CertificateKeyPath is not null
        ? X509Certificate2.CreateFromPemFile(account.CertificatePath!, account.CertificateKeyPath)
        : X509CertificateLoader.LoadPkcs12FromFile(account.CertificatePath!, account.CertificatePassword);
}
