using System.Text.Json;
using System.Text.Json.Serialization;

namespace OAuthRelay.Delivery.Graph;

/// <summary>The JSON shapes the relay sends to and reads from Microsoft Graph (v1.0 message and attachment resources).</summary>
internal static class GraphJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public sealed record EmailAddress(string Address, string? Name);

    public sealed record Recipient(EmailAddress EmailAddress);

    public sealed record ItemBody(string ContentType, string Content);

    public sealed record InternetMessageHeader(string Name, string Value);

    public sealed record Message(
        string? Subject,
        ItemBody Body,
        IReadOnlyList<Recipient> ToRecipients,
        IReadOnlyList<Recipient> CcRecipients,
        IReadOnlyList<Recipient> BccRecipients,
        IReadOnlyList<Recipient> ReplyTo,
        Recipient? From,
        string Importance,
        IReadOnlyList<InternetMessageHeader>? InternetMessageHeaders);

    public sealed record FileAttachment(string Name, string ContentType, string ContentBytes, bool IsInline, string? ContentId)
    {
        [JsonPropertyName("@odata.type")]
        public string ODataType => "#microsoft.graph.fileAttachment";
    }

    public sealed record AttachmentItem(string Name, long Size, string ContentType, bool IsInline, string? ContentId)
    {
        public string AttachmentType => "file";
    }

    /// <summary>Graph's documentation spells this one property in Pascal case.</summary>
    public sealed record UploadSessionRequest([property: JsonPropertyName("AttachmentItem")] AttachmentItem AttachmentItem);

    public sealed record UploadSession(string UploadUrl);

    /// <summary>What GET on an upload URL says: the byte ranges Graph still wants ("start-" or "start-end").</summary>
    public sealed record UploadStatus(string[]? NextExpectedRanges);

    public sealed record Created(string Id);
}
