using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery.Graph;

/// <summary>
/// The Graph calls for one mailbox with one access token. 401, 403 and 404 are refusals of the relay's access
/// (<see cref="UpstreamLoginRefusedException"/>: a fresh token is tried once, then the account's health names the
/// operator action); other errors are <see cref="GraphRequestException"/>. The token goes only to Graph's API, never
/// to an upload URL (which carries its own authorization).
/// </summary>
internal sealed class GraphMailboxClient(HttpClient http, Uri baseUrl, string mailbox, string token)
{
    private string User => $"users/{Uri.EscapeDataString(mailbox)}";

    /// <summary>POST /users/{mailbox}/sendMail with the base64 MIME (text/plain); Graph answers 202.</summary>
    public Task SendMimeAsync(HttpContent mime, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{User}/sendMail", mime, cancellationToken);

    /// <summary>POST /users/{mailbox}/messages: the draft's id.</summary>
    public async Task<string> CreateDraftAsync(GraphJson.Message draft, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{User}/messages", JsonContent.Create(draft, options: GraphJson.Options), cancellationToken);
        return (await response.Content.ReadFromJsonAsync<GraphJson.Created>(GraphJson.Options, cancellationToken))!.Id;
    }

    /// <summary>An attachment small enough for one request.</summary>
    public async Task AddAttachmentAsync(string draftId, GraphJson.FileAttachment attachment, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"{User}/messages/{draftId}/attachments", JsonContent.Create(attachment, options: GraphJson.Options), cancellationToken);
    }

    /// <summary>POST .../attachments/createUploadSession: where the attachment's bytes go.</summary>
    public async Task<Uri> CreateUploadSessionAsync(string draftId, GraphJson.AttachmentItem item, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{User}/messages/{draftId}/attachments/createUploadSession",
            JsonContent.Create(new GraphJson.UploadSessionRequest(item), options: GraphJson.Options), cancellationToken);
        return new Uri((await response.Content.ReadFromJsonAsync<GraphJson.UploadSession>(GraphJson.Options, cancellationToken))!.UploadUrl);
    }

    /// <summary>
    /// PUTs <paramref name="length"/> bytes of <paramref name="file"/> in chunks with Content-Range, without the token.
    /// A chunk Graph refuses with 416 was taken before though its answer was lost (a retried PUT): Graph is asked where
    /// to go on, a few times at most, instead of the whole message being sent again.
    /// </summary>
    public async Task UploadAsync(Uri uploadUrl, string file, long length, int chunkSize, CancellationToken cancellationToken)
    {
        var resumes = 0;
        for (long start = 0; start < length;)
        {
            var count = Math.Min(chunkSize, length - start);
            using var request = new HttpRequestMessage(HttpMethod.Put, uploadUrl) { Content = new FileRangeContent(file, start, count) };
            request.Content.Headers.ContentRange = new ContentRangeHeaderValue(start, start + count - 1, length);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && resumes++ < MaxResumes)
            {
                start = await NextExpectedAsync(uploadUrl, length, cancellationToken);
                continue;
            }

            await ThrowIfFailedAsync(response, cancellationToken, upload: true);
            start += count;
        }
    }

    private const int MaxResumes = 3;

    /// <summary>The first byte the upload session still wants (GET on its URL, no token); the length when it wants none.</summary>
    private async Task<long> NextExpectedAsync(Uri uploadUrl, long length, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(uploadUrl, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken, upload: true);
        var ranges = (await response.Content.ReadFromJsonAsync<GraphJson.UploadStatus>(GraphJson.Options, cancellationToken))?.NextExpectedRanges ?? [];
        return ranges.Length == 0 ? length : long.Parse(ranges[0].Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>POST /users/{mailbox}/messages/{id}/send; Graph answers 202.</summary>
    public async Task SendDraftAsync(string draftId, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"{User}/messages/{draftId}/send", null, cancellationToken);
    }

    /// <summary>Removes a draft whose sending failed, so a retry leaves no trail of half-made drafts.</summary>
    public async Task DeleteDraftAsync(string draftId, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Delete, $"{User}/messages/{draftId}", null, cancellationToken);
    }

    /// <summary>
    /// A sendMail with an empty body, which Graph can only refuse: 400 means the token and the mailbox passed its
    /// checks, 401/403 that they still do not.
    /// </summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendMimeAsync(new StringContent(string.Empty, System.Text.Encoding.ASCII, "text/plain"), cancellationToken);
        }
        catch (GraphRequestException e) when (e.Status == 400)
        {
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await ThrowIfFailedAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <param name="upload">An upload URL answered: it carries its own authorization, so a 401, 403 or 404 there (the session expired or ended) is no refusal of the relay's access.</param>
    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken, bool upload = false)
    {
        if (response.IsSuccessStatusCode) return;
        var status = (int)response.StatusCode;
        var (code, message) = await ErrorAsync(response, cancellationToken);
        if (status is 401 or 403 or 404 && code != "ErrorSendAsDenied" && !upload) throw new UpstreamLoginRefusedException($"{status} {code}: {message}");
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;
        throw new GraphRequestException(status, code, message, retryAfter, upload);
    }

    /// <summary>Graph's error code and message from {"error":{"code","message"}}, or the status's name when the body has none.</summary>
    private static async Task<(string Code, string Message)> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            if (body.RootElement.TryGetProperty("error", out var error))
                return (error.TryGetProperty("code", out var code) ? code.GetString() ?? "" : "", error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "");
        }
        catch (JsonException)
        {
        }

        return (response.StatusCode.ToString(), response.ReasonPhrase ?? "");
    }
}
