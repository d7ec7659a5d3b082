using System.Security.Cryptography;
using System.Text;

namespace OAuthRelay.Upstream;

/// <summary>
/// Who the relay authenticates as upstream: an account's mailbox with XOAUTH2, a client's own credentials (OAuth
/// switched off for it), or nobody. Connections are pooled per identity. Never prints the password.
/// </summary>
public sealed record UpstreamIdentity(string PoolKey, string UserName, string? Account, string? Password)
{
    public bool UsesOAuth => Account is not null;

    /// <summary>The mailbox sends as this identity count against (Exchange's limits are per mailbox).</summary>
    public string Mailbox => UserName.Length > 0 ? UserName.ToLowerInvariant() : PoolKey;

    public static UpstreamIdentity OAuth(string account, string mailbox) => new($"oauth:{account}", mailbox, account, null);

    public static UpstreamIdentity Basic(string userName, string password) =>
        new($"basic:{userName.ToLowerInvariant()}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)))[..16]}", userName, null, password);

    public static readonly UpstreamIdentity Anonymous = new("anonymous", string.Empty, null, null);

    public override string ToString() => UsesOAuth ? $"{UserName} (XOAUTH2, account {Account})" : Password is null ? "anonymous" : $"{UserName} (basic)";
}
