namespace OAuthRelay.Smtp.Backend;

/// <summary>
/// The decisions behind an SMTP conversation, in the spirit of go-smtp's Backend: the engine owns the wire,
/// the backend owns who may send what where. One backend session per connection (a new one after STARTTLS).
/// </summary>
public interface ISmtpBackend
{
    ISmtpBackendSession OpenSession(SmtpSessionInfo session);
}
