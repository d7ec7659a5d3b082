using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OAuthRelay.Fakes;

/// <summary>
/// A fake Microsoft Graph on 127.0.0.1 (port 0), HTTPS with <see cref="FakeCertificate"/>, under /v1.0/. Every API call
/// must carry a live bearer token from the fake Entra ID for audience https://graph.microsoft.com with the permission
/// the call needs (Mail.Send to send, Mail.ReadWrite for drafts and attachments) and a mailbox it may use (its own
/// user's for delegated tokens, <see cref="AllowedMailboxes"/> for app tokens, as an RBAC scope would say). It serves
/// sendMail (base64 MIME or JSON), drafts, attachments, upload sessions (Content-Range chunks, no token allowed on
/// the upload URL) and send; refuses bodies over 4 MB with 413; and answers scripted failures (<see cref="FailNext"/>).
/// </summary>
public sealed partial class FakeGraph : IAsyncDisposable
{
    public const string Audience = "https://graph.microsoft.com";
    public const int MaxRequestBytes = 4 * 1024 * 1024;
    private const int ChunkUnit = 320 * 1024;

    private readonly WebApplication _app;
    private readonly FakeEntraId _entra;
    private readonly ConcurrentDictionary<string, Draft> _drafts = new();
    private readonly ConcurrentDictionary<string, UploadSession> _uploads = new();
    private readonly ConcurrentQueue<Failure> _failures = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private FakeGraph(WebApplication app, FakeEntraId entra)
    {
        _app = app;
        _entra = entra;
    }

    /// <summary>An attachment as Graph stored it, and whether it came through an upload session.</summary>
    public sealed record Attachment(string Name, string ContentType, bool IsInline, string? ContentId, byte[] Content, bool Uploaded);

    /// <summary>A sent message: the MIME of a sendMail, or the JSON of a draft with its attachments.</summary>
    public sealed record Sent(string Mailbox, byte[]? Mime, JsonElement? Message, IReadOnlyList<Attachment> Attachments, DateTimeOffset At);

    /// <summary>One request as it arrived (on <see cref="Clock"/>) and the status it got.</summary>
    public sealed record Request(string Method, string Path, int Status, DateTimeOffset At);

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The API root the relay's account points at (GraphBaseUrl).</summary>
    public Uri ApiBase => new(BaseAddress, "/v1.0/");

    public ConcurrentQueue<Sent> Messages { get; } = new();

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Upload chunk sizes received, in order.</summary>
    public ConcurrentQueue<long> Chunks { get; } = new();

    /// <summary>Mailboxes app-only tokens may send as; empty: any.</summary>
    public HashSet<string> AllowedMailboxes { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The clock that stamps requests (a test's fake clock).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public int DeletedDrafts;

    public static async Task<FakeGraph> StartAsync(FakeEntraId entra)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(FakeCertificate.Instance));
        });
        var app = builder.Build();
        var fake = new FakeGraph(app, entra);
        app.Use(fake.RecordAsync);
        app.MapPost("/v1.0/users/{mailbox}/sendMail", fake.SendMailAsync);
        app.MapPost("/v1.0/users/{mailbox}/messages", fake.CreateDraftAsync);
        app.MapPost("/v1.0/users/{mailbox}/messages/{id}/attachments", fake.AddAttachmentAsync);
        app.MapPost("/v1.0/users/{mailbox}/messages/{id}/attachments/createUploadSession", fake.CreateUploadSessionAsync);
        app.MapPost("/v1.0/users/{mailbox}/messages/{id}/send", fake.SendDraft);
        app.MapDelete("/v1.0/users/{mailbox}/messages/{id}", fake.DeleteDraft);
        app.MapPut("/upload/{session}", fake.UploadAsync);
        app.MapGet("/upload/{session}", fake.UploadStatus);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First());
        return fake;
    }

    /// <summary>The next <paramref name="times"/> API calls get this error (and Retry-After, if given) instead of their answer.</summary>
    public void FailNext(int status, string code, string message, int? retryAfterSeconds = null, int times = 1)
    {
        for (var i = 0; i < times; i++) _failures.Enqueue(new Failure(status, code, message, retryAfterSeconds));
    }

    /// <summary>
    /// The upload chunk with this index (0: the first one received) is stored, but its answer is lost: a 503 with
    /// Retry-After 0 instead, as from a gateway that timed out after the bytes had gone through.
    /// </summary>
    public int LoseAnswerToChunk { get; set; } = -1;

    /// <summary>Upload sessions end before their first chunk (404), as one that expired.</summary>
    public bool UploadsExpire { get; set; }

    /// <summary>Waits (at most 60 s) until at least <paramref name="count"/> messages were sent.</summary>
    public async Task WaitForMessagesAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Messages.Count < count) await _arrived.WaitAsync(timeout.Token);
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var at = Clock.GetUtcNow();
        await next(context);
        Requests.Enqueue(new Request(context.Request.Method, context.Request.Path.Value ?? "", context.Response.StatusCode, at));
    }

    private async Task<IResult> SendMailAsync(HttpContext context, string mailbox)
    {
        if (Refusal(context, mailbox, "Mail.Send") is { } refused) return refused;
        var body = await BodyAsync(context);
        if (body is null) return Error(413, "RequestEntityTooLarge", "The request body exceeds the maximum size.");
        if (context.Request.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) == true)
        {
            byte[] mime;
            try
            {
                mime = Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(body));
            }
            catch (FormatException)
            {
                return Error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
            }

            if (mime.Length == 0) return Error(400, "ErrorMimeContentInvalid", "The MIME content is empty.");
            Deliver(new Sent(mailbox, mime, null, [], Clock.GetUtcNow()));
        }
        else
        {
            using var json = JsonDocument.Parse(body);
            Deliver(new Sent(mailbox, null, json.RootElement.GetProperty("message").Clone(), [], Clock.GetUtcNow()));
        }

        return Results.StatusCode(202);
    }

    private async Task<IResult> CreateDraftAsync(HttpContext context, string mailbox)
    {
        if (Refusal(context, mailbox, "Mail.ReadWrite") is { } refused) return refused;
        var body = await BodyAsync(context);
        if (body is null) return Error(413, "RequestEntityTooLarge", "The request body exceeds the maximum size.");
        var id = Guid.NewGuid().ToString("N");
        using var json = JsonDocument.Parse(body);
        _drafts[id] = new Draft(mailbox, json.RootElement.Clone());
        return Results.Json(new { id }, statusCode: 201);
    }

    private async Task<IResult> AddAttachmentAsync(HttpContext context, string mailbox, string id)
    {
        if (Refusal(context, mailbox, "Mail.ReadWrite") is { } refused) return refused;
        if (!_drafts.TryGetValue(id, out var draft)) return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        var body = await BodyAsync(context);
        if (body is null) return Error(413, "RequestEntityTooLarge", "The request body exceeds the maximum size.");
        using var json = JsonDocument.Parse(body);
        var a = json.RootElement;
        if (a.GetProperty("@odata.type").GetString() != "#microsoft.graph.fileAttachment") return Error(400, "ErrorInvalidRequest", "Only file attachments here.");
        draft.Attachments.Enqueue(new Attachment(a.GetProperty("name").GetString()!, a.GetProperty("contentType").GetString()!, a.GetProperty("isInline").GetBoolean(),
            a.TryGetProperty("contentId", out var cid) ? cid.GetString() : null, Convert.FromBase64String(a.GetProperty("contentBytes").GetString()!), Uploaded: false));
        return Results.Json(new { id = Guid.NewGuid().ToString("N") }, statusCode: 201);
    }

    private async Task<IResult> CreateUploadSessionAsync(HttpContext context, string mailbox, string id)
    {
        if (Refusal(context, mailbox, "Mail.ReadWrite") is { } refused) return refused;
        if (!_drafts.TryGetValue(id, out var draft)) return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        using var json = JsonDocument.Parse(await BodyAsync(context) ?? []);
        var item = json.RootElement.GetProperty("AttachmentItem");
        var size = item.GetProperty("size").GetInt64();
        if (size > 150L * 1024 * 1024) return Error(413, "ErrorAttachmentSizeLimitExceeded", "The attachment is over 150 MB.");
        var session = Guid.NewGuid().ToString("N");
        _uploads[session] = new UploadSession(draft, item.GetProperty("name").GetString()!, item.GetProperty("contentType").GetString()!,
            item.GetProperty("isInline").GetBoolean(), item.TryGetProperty("contentId", out var cid) ? cid.GetString() : null, new byte[size]);
        return Results.Json(new { uploadUrl = new Uri(BaseAddress, $"/upload/{session}").ToString(), expirationDateTime = DateTimeOffset.UtcNow.AddHours(1), nextExpectedRanges = new[] { "0-" } }, statusCode: 201);
    }

    private async Task<IResult> UploadAsync(HttpContext context, string session)
    {
        // The upload URL carries its own authorization: a token sent along would go where it does not belong.
        if (context.Request.Headers.Authorization.Count > 0) return Error(400, "InvalidRequest", "Do not send an Authorization header to the upload URL.");
        if (UploadsExpire || !_uploads.TryGetValue(session, out var upload)) return Error(404, "ItemNotFound", "No such upload session.");
        if (ContentRange().Match(context.Request.Headers.ContentRange.ToString()) is not { Success: true } range) return Error(400, "InvalidRange", "Content-Range is missing or malformed.");
        var (start, end, total) = (long.Parse(range.Groups[1].Value), long.Parse(range.Groups[2].Value), long.Parse(range.Groups[3].Value));
        var length = end - start + 1;
        if (start < upload.Next && total == upload.Content.Length) return Error(416, "InvalidRange", $"Bytes before {upload.Next} were received already.");
        if (total != upload.Content.Length || start != upload.Next || context.Request.ContentLength != length || length > 60L * 1024 * 1024
            || (end + 1 < total && length % ChunkUnit != 0))
            return Error(400, "InvalidRange", $"Expected bytes {upload.Next}- of {upload.Content.Length} in multiples of 320 KiB.");
        await context.Request.Body.ReadExactlyAsync(upload.Content.AsMemory((int)start, (int)length));
        upload.Next = end + 1;
        Chunks.Enqueue(length);
        if (Chunks.Count - 1 == LoseAnswerToChunk)
        {
            context.Response.Headers.RetryAfter = "0";
            return Error(503, "ServiceUnavailable", "The answer was lost.");
        }

        if (upload.Next < total) return Results.Json(new { nextExpectedRanges = new[] { $"{upload.Next}-" } });
        _uploads.TryRemove(session, out _);
        upload.Draft.Attachments.Enqueue(new Attachment(upload.Name, upload.ContentType, upload.IsInline, upload.ContentId, upload.Content, Uploaded: true));
        return Results.StatusCode(201);
    }

    /// <summary>GET on the upload URL: which bytes the session still wants.</summary>
    private IResult UploadStatus(HttpContext context, string session)
    {
        if (context.Request.Headers.Authorization.Count > 0) return Error(400, "InvalidRequest", "Do not send an Authorization header to the upload URL.");
        return _uploads.TryGetValue(session, out var upload)
            ? Results.Json(new { expirationDateTime = DateTimeOffset.UtcNow.AddHours(1), nextExpectedRanges = new[] { $"{upload.Next}-" } })
            : Error(404, "ItemNotFound", "No such upload session.");
    }

    private IResult SendDraft(HttpContext context, string mailbox, string id)
    {
        if (Refusal(context, mailbox, "Mail.Send") is { } refused) return refused;
        if (!_drafts.TryRemove(id, out var draft)) return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        Deliver(new Sent(mailbox, null, draft.Message, [.. draft.Attachments], Clock.GetUtcNow()));
        return Results.StatusCode(202);
    }

    private IResult DeleteDraft(HttpContext context, string mailbox, string id)
    {
        if (Refusal(context, mailbox, "Mail.ReadWrite") is { } refused) return refused;
        if (_drafts.TryRemove(id, out _)) Interlocked.Increment(ref DeletedDrafts);
        return Results.StatusCode(204);
    }

    private void Deliver(Sent sent)
    {
        Messages.Enqueue(sent);
        _arrived.Release();
    }

    /// <summary>Graph's checks of the caller, then any scripted failure; null when the call may go ahead.</summary>
    private IResult? Refusal(HttpContext context, string mailbox, string permission)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return Error(401, "InvalidAuthenticationToken", "Access token is empty.");
        if (_entra.Live(header[7..]) is not { } token) return Error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
        if (token.Audience != Audience) return Error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
        if (!token.Permissions.Contains(permission)) return Error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        var allowed = AllowedMailboxes.Count == 0 ? token.AppOnly || string.Equals(token.User, mailbox, StringComparison.OrdinalIgnoreCase) : AllowedMailboxes.Contains(mailbox);
        if (!allowed) return Error(403, "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.");
        if (!_failures.TryDequeue(out var failure)) return null;
        if (failure.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString();
        return Error(failure.Status, failure.Code, failure.Message);
    }

    /// <summary>The request body, or null when it is over Graph's 4 MB.</summary>
    private static async Task<byte[]?> BodyAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        return body.Length > MaxRequestBytes ? null : body.ToArray();
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message, innerError = new { date = DateTimeOffset.UtcNow, requestId = Guid.NewGuid() } } }, statusCode: status);

    [GeneratedRegex(@"^bytes (\d+)-(\d+)/(\d+)$")]
    private static partial Regex ContentRange();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record Failure(int Status, string Code, string Message, int? RetryAfterSeconds);

    private sealed record Draft(string Mailbox, JsonElement Message)
    {
        public ConcurrentQueue<Attachment> Attachments { get; } = new();
    }

    private sealed class UploadSession(Draft draft, string name, string contentType, bool isInline, string? contentId, byte[] content)
    {
        public Draft Draft { get; } = draft;
        public string Name { get; } = name;
        public string ContentType { get; } = contentType;
        public bool IsInline { get; } = isInline;
        public string? ContentId { get; } = contentId;
        public byte[] Content { get; } = content;
        public long Next { get; set; }
    }
}
