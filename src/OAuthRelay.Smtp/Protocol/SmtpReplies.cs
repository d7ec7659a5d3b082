namespace OAuthRelay.Smtp.Protocol;

/// <summary>The engine's fixed replies, in one place so that every path answers the same way (RFC 5321, 3463, 4954, 3207).</summary>
public static class SmtpReplies
{
    public static readonly SmtpReply Ok = new(250, "2.0.0", "OK");
    public static readonly SmtpReply ResetDone = new(250, "2.0.0", "Reset state");
    public static readonly SmtpReply SenderOk = new(250, "2.1.0", "Sender OK");
    public static readonly SmtpReply RecipientOk = new(250, "2.1.5", "Recipient OK");
    public static readonly SmtpReply CannotVerify = new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static readonly SmtpReply AuthSucceeded = new(235, "2.7.0", "Authentication successful");
    public static readonly SmtpReply ReadyToStartTls = new(220, "2.0.0", "Ready to start TLS");

    public static readonly SmtpReply TooManyConnections = new(421, "4.3.2", "Too many connections, try again later");
    public static readonly SmtpReply ShuttingDown = new(421, "4.3.2", "Service shutting down, try again later");
    public static readonly SmtpReply IdleTimeout = new(421, "4.4.2", "Idle timeout, closing connection");
    public static readonly SmtpReply DataTimeout = new(421, "4.4.2", "Message data too slow or stalled, closing connection");
    public static readonly SmtpReply LoginTimeout = new(421, "4.4.2", "Authentication not completed in time, closing connection");
    public static readonly SmtpReply ClosingOnLocalError = new(421, "4.3.0", "Local error in processing, closing connection");
    public static readonly SmtpReply TooManyAuthFailures = new(421, "4.7.0", "Too many failed authentication attempts, closing connection");
    public static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
    public static readonly SmtpReply LocalError = new(451, "4.3.0", "Local error in processing, try again later");
    public static readonly SmtpReply TooManyRecipients = new(452, "4.5.3", "Too many recipients");
    public static readonly SmtpReply AuthTemporarilyUnavailable = new(454, "4.7.0", "Temporary authentication failure, try again later");

    public static readonly SmtpReply CommandUnrecognized = new(500, "5.5.1", "Command unrecognized");
    public static readonly SmtpReply LineTooLong = new(500, "5.5.6", "Line too long");
    public static readonly SmtpReply BadLineEnding = new(500, "5.5.2", "Command lines must end with CRLF and contain no NUL or bare CR");
    public static readonly SmtpReply AuthCancelled = new(501, "5.7.0", "Authentication cancelled");
    public static readonly SmtpReply InvalidBase64 = new(501, "5.5.2", "Cannot decode base64 response");
    public static readonly SmtpReply MalformedAuthResponse = new(501, "5.5.2", "Malformed authentication response");
    public static readonly SmtpReply CommandNotImplemented = new(502, "5.5.1", "Command not implemented");
    public static readonly SmtpReply SendHeloFirst = new(503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first");
    public static readonly SmtpReply SenderAlreadySpecified = new(503, "5.5.1", "Bad sequence of commands: sender already specified");
    public static readonly SmtpReply NeedMailFirst = new(503, "5.5.1", "Bad sequence of commands: need MAIL first");
    public static readonly SmtpReply NeedRcptFirst = new(503, "5.5.1", "Bad sequence of commands: need RCPT first");
    public static readonly SmtpReply AlreadyAuthenticated = new(503, "5.5.1", "Bad sequence of commands: already authenticated");
    public static readonly SmtpReply AuthDuringTransaction = new(503, "5.5.1", "Bad sequence of commands: AUTH not allowed during a mail transaction");
    public static readonly SmtpReply AlreadyTls = new(503, "5.5.1", "Bad sequence of commands: TLS already active");
    public static readonly SmtpReply UnrecognizedMechanism = new(504, "5.5.4", "Unrecognized authentication mechanism");
    public static readonly SmtpReply AuthenticationRequired = new(530, "5.7.0", "Authentication required");
    public static readonly SmtpReply TlsRequired = new(530, "5.7.0", "Must issue a STARTTLS command first");
    public static readonly SmtpReply AuthorizationIdentityNotSupported = new(535, "5.7.8", "Acting as another user (authorization identity) is not supported");
    public static readonly SmtpReply InvalidCredentials = new(535, "5.7.8", "Authentication credentials invalid");
    public static readonly SmtpReply EncryptionRequiredForAuth = new(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static readonly SmtpReply MessageTooLarge = new(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static readonly SmtpReply NonAsciiAddressWithoutSmtpUtf8 = new(553, "5.6.7", "Non-ASCII address requires the SMTPUTF8 parameter");
    public static readonly SmtpReply UnsupportedParameter = new(555, "5.5.4", "Unsupported MAIL FROM or RCPT TO parameter");

    public static SmtpReply SyntaxError(string detail) => new(501, "5.5.4", $"Syntax error: {detail}");

    public static SmtpReply BadAddress(string detail) => new(501, "5.1.3", $"Bad address syntax: {detail}");

    public static SmtpReply AddressTooLong(string detail) => new(501, "5.1.3", $"Address too long: {detail}");
}
