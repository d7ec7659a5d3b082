namespace OAuthRelay.Upstream;

/// <summary>
/// Section "Upstream:Graph": how accounts with Transport Graph send (the endpoint and token audience are the account's,
/// for its cloud). Graph's certificate is checked with Upstream:TrustedCaFile and CheckCertificateRevocation, its
/// requests time out after Upstream:Timeout (office365-facts.md section 7 has the limits).
/// </summary>
public sealed class GraphUpstreamOptions
{
    /// <summary>
    /// Graph refuses request bodies over 4 MB: a message whose base64 MIME fits goes in one sendMail, a larger one
    /// through a draft and upload sessions.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Attachments below this go into the draft in one request; larger ones through an upload session.</summary>
    public int InlineAttachmentLimit { get; set; } = 3 * 1024 * 1024;

    /// <summary>Bytes per upload session request: a multiple of 320 KiB, at most 60 MiB (Graph's rules).</summary>
    public int UploadChunkSize { get; set; } = 16 * UploadChunkUnit;

    /// <summary>Exchange Online's limit for the mailbox whatever the protocol; the relay sends no faster.</summary>
    public int MessagesPerMinute { get; set; } = 30;

    /// <summary>Graph allows 4 concurrent requests per mailbox (Outlook service limits).</summary>
    public int MaxConcurrentRequestsPerMailbox { get; set; } = 4;

    public const int UploadChunkUnit = 320 * 1024;

    public IEnumerable<string> Problems()
    {
        if (UploadChunkSize <= 0 || UploadChunkSize % UploadChunkUnit != 0 || UploadChunkSize > 60 * 1024 * 1024)
            yield return $"Upstream:Graph:UploadChunkSize {UploadChunkSize} must be a multiple of {UploadChunkUnit} (320 KiB) and at most 60 MiB.";
        if (MaxRequestBytes < 64 * 1024) yield return $"Upstream:Graph:MaxRequestBytes {MaxRequestBytes} is too small (at least 65536).";
        if (InlineAttachmentLimit <= 0 || InlineAttachmentLimit > MaxRequestBytes / 4 * 3)
            yield return $"Upstream:Graph:InlineAttachmentLimit {InlineAttachmentLimit} must be more than 0 and fit base64-encoded in MaxRequestBytes.";
        if (MessagesPerMinute <= 0) yield return $"Upstream:Graph:MessagesPerMinute must be more than 0, not {MessagesPerMinute}.";
        if (MaxConcurrentRequestsPerMailbox <= 0) yield return $"Upstream:Graph:MaxConcurrentRequestsPerMailbox must be more than 0, not {MaxConcurrentRequestsPerMailbox}.";
    }
}
