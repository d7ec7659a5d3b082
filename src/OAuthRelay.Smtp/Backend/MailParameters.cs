namespace OAuthRelay.Smtp.Backend;

public enum MailBodyType
{
    SevenBit,
    EightBitMime,
}

/// <summary>The MAIL FROM parameters the engine understands: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531).</summary>
public sealed record MailParameters(long? DeclaredSize, MailBodyType Body, bool SmtpUtf8)
{
    public static readonly MailParameters None = new(null, MailBodyType.SevenBit, false);
}
