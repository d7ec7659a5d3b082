namespace OAuthRelay.Fakes;

/// <summary>
/// The settings of a relay in pass-through mode towards <see cref="FakeOffice365"/>, with account "office" getting
/// its tokens from <see cref="FakeEntraId"/> (whose certificate is trusted through Tokens:TrustedCaFile); shared by the end-to-end tests and the benchmark.
/// </summary>
public static class UpstreamRelaySettings
{
    public static Dictionary<string, string?> For(Uri entraBase, string entraCaFile, int officePort, string officeCaFile, string folder) => new()
    {
        ["Tokens:TrustedCaFile"] = entraCaFile,
        ["Delivery:Mode"] = "Upstream",
        ["Upstream:Host"] = "127.0.0.1",
        ["Upstream:Port"] = officePort.ToString(),
        ["Upstream:TrustedCaFile"] = officeCaFile,
        ["Upstream:CheckCertificateRevocation"] = "false",
        ["Upstream:Timeout"] = "00:00:15",
        ["Spool:Directory"] = Path.Combine(folder, "spool"),
        ["Tokens:CacheDirectory"] = Path.Combine(folder, "tokens"),
        ["Tokens:CacheKey"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 3)).ToArray()),
        ["Accounts:office:Mailbox"] = FakeEntraId.UserName,
        ["Accounts:office:AuthorityHost"] = entraBase.ToString(),
        ["Accounts:office:Tenant"] = "contoso.test",
        ["Accounts:office:ClientId"] = "11111111-2222-3333-4444-555555555555",
        ["Accounts:office:ClientSecret"] = FakeEntraId.ClientSecret,
    };
}
