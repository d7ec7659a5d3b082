using Microsoft.Identity.Client;

namespace OAuthRelay.Tokens.Cache;

/// <summary>Where one account's encrypted MSAL cache is kept: a file on this machine, or Redis shared by the replicas.</summary>
internal interface ITokenCacheStore
{
    /// <summary>Loads and saves <paramref name="cache"/> through MSAL's serialization hooks.</summary>
    void Attach(ITokenCache cache);

    /// <summary>Someone else (the CLI, another replica) wrote or removed the cache since this process last read or wrote it.</summary>
    bool ChangedByOthers();

    /// <summary>
    /// How many times the cache was loaded into MSAL because it had changed: any MSAL call loads a change (a status
    /// page listing the accounts too), so whoever must act on one also compares this count.
    /// </summary>
    long Loads { get; }

    /// <summary>The cache is there now (not removed by a sign-out); when that cannot be known, it is taken to be.</summary>
    Task<bool> ExistsAsync();

    /// <summary>Removes the cache (sign-out), here and for whoever shares it.</summary>
    Task DeleteAsync();
}
