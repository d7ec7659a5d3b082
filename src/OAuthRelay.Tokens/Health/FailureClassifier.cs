using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Identity.Client;
using OAuthRelay.Tokens.Cache;

namespace OAuthRelay.Tokens.Health;

/// <summary>
/// Sorts token failures by what the operator must do, using the numeric AADSTS codes (never the description text,
/// which Microsoft rewords). Transient failures keep the cached refresh token and are retried with back-off.
/// </summary>
internal static class FailureClassifier
{
    /// <summary>The code for "the cache holds no sign-in for the account's user".</summary>
    public const string NoAccount = "no_account";

    private static readonly Dictionary<string, string> NeedsSignIn = new()
    {
        ["70008"] = "The refresh token expired or was revoked",
        ["700082"] = "The refresh token expired after 90 days without use",
        ["50173"] = "The grant expired (password changed?)",
        ["65001"] = "Consent is missing for the app or its scopes",
        ["70043"] = "The refresh token expired under a Conditional Access sign-in frequency policy",
        ["50076"] = "Multi-factor authentication is required",
        ["50079"] = "Multi-factor authentication registration is required",
        ["53003"] = "Conditional Access blocked the token",
    };

    private static readonly Dictionary<string, string> Misconfigured = new()
    {
        ["7000215"] = "The client secret is wrong: check the account's ClientSecret",
        ["7000222"] = "The client secret has expired: create a new one under Certificates & secrets in Entra ID",
        ["7000218"] = "Entra ID expects a client secret or certificate for this app: set ClientSecret or CertificatePath",
        ["700025"] = "This app is a public client: remove ClientSecret, or register a web (confidential) app",
        ["700022"] = "The requested scopes name more than one resource",
        ["700016"] = "No app with this client id in the tenant: check ClientId and Tenant",
        ["90002"] = "The tenant does not exist: check Tenant",
        ["invalid_client"] = "Entra ID refused the app credentials: check ClientId, ClientSecret or certificate",
        ["unauthorized_client"] = "The app is not allowed this flow: check the app registration",
    };

    /// <param name="exception">What the token request threw.</param>
    /// <param name="account">The account name, for the sign-in command in the action.</param>
    /// <param name="certificateRefusal">Why the HTTP client last refused Entra ID's certificate, if it did.</param>
    public static TokenFailure Classify(Exception exception, string account, string? certificateRefusal)
    {
        var signIn = SignInCommand.SignInAgain(account);
        if (Find<TokenCacheUnreadableException>(exception) is { } unreadable)
            return new TokenFailure(TokenHealthState.Misconfigured, "cache_unreadable", unreadable.Message, null);

        if (exception is NoCachedAccountException missing)
            return new TokenFailure(TokenHealthState.NeedsSignIn, NoAccount, $"No sign-in as {missing.UserName} yet. {signIn}", null);

        // MSAL refused to ask again before the server's Retry-After has passed: not a new failure, the same wait.
        if (exception is MsalThrottledServiceException throttled)
            return Transient(AadstsCode(throttled) ?? $"http_{throttled.StatusCode}", throttled.Headers?.RetryAfter?.Delta) with { Throttled = true };

        if (exception is MsalServiceException service)
        {
            var code = AadstsCode(service);
            if (service.StatusCode is 429 or >= 500 || code == "50196")
                return Transient(code ?? $"http_{service.StatusCode}", service.Headers?.RetryAfter?.Delta);
            if (code is not null && NeedsSignIn.TryGetValue(code, out var why)) return new TokenFailure(TokenHealthState.NeedsSignIn, code, $"{why}. {signIn}", null);
            if (code is not null && Misconfigured.TryGetValue(code, out var fix)) return new TokenFailure(TokenHealthState.Misconfigured, code, fix + ".", null);
            if (Misconfigured.TryGetValue(service.ErrorCode, out fix)) return new TokenFailure(TokenHealthState.Misconfigured, code ?? service.ErrorCode, fix + ".", null);
            if (service is MsalUiRequiredException) return new TokenFailure(TokenHealthState.NeedsSignIn, code ?? service.ErrorCode, signIn, null);
            return Transient(code ?? service.ErrorCode, null);
        }

        if (exception is MsalClientException client && client.ErrorCode is not ("request_timeout" or "service_not_available"))
            return new TokenFailure(TokenHealthState.Misconfigured, client.ErrorCode, "MSAL refused the request: check the account's settings.", null);

        if (certificateRefusal is not null && Find<System.Security.Authentication.AuthenticationException>(exception) is not null)
            return new TokenFailure(TokenHealthState.Misconfigured, "untrusted_certificate",
                $"Entra ID's TLS certificate was refused: {certificateRefusal}. If a proxy inspects TLS, put its CA certificate in Tokens:TrustedCaFile.", null);

        // Network errors, timeouts: Entra ID will be back.
        var network = Find<HttpRequestException>(exception) is not null || Find<SocketException>(exception) is not null || exception is TimeoutException or OperationCanceledException;
        return Transient(network ? "network" : exception.GetType().Name, null);
    }

    private static TokenFailure Transient(string? code, TimeSpan? retryAfter) =>
        new(TokenHealthState.Degraded, code, "Entra ID is unreachable, failing or throttling; retrying with back-off, the cached refresh token is kept.", retryAfter);

    /// <summary>The first AADSTS number, from MSAL's parsed codes or the response's error_codes array.</summary>
    private static string? AadstsCode(MsalServiceException exception)
    {
        if (exception.ErrorCodesForLogging is { Count: > 0 } codes) return codes[0];
        if (string.IsNullOrEmpty(exception.ResponseBody)) return null;
        try
        {
            using var body = JsonDocument.Parse(exception.ResponseBody);
            return body.RootElement.TryGetProperty("error_codes", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0
                ? list[0].ToString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is T found) return found;
        return null;
    }
}
