namespace OAuthRelay.Smtp.Protocol;

/// <summary>
/// One SMTP reply: a three-digit code, an RFC 3463 enhanced status code where one applies, and one or more text lines.
/// </summary>
public sealed class SmtpReply
{
    public SmtpReply(int code, string? enhancedStatus, string text)
        : this(code, enhancedStatus, [text])
    {
    }

    public SmtpReply(int code, string? enhancedStatus, IReadOnlyList<string> lines)
    {
        if (code is < 200 or > 599) throw new ArgumentOutOfRangeException(nameof(code));
        if (lines.Count == 0) throw new ArgumentException("A reply has at least one line.", nameof(lines));
        Code = code;
        EnhancedStatus = enhancedStatus;
        Lines = lines;
    }

    public int Code { get; }

    /// <summary>The RFC 3463 code ("2.1.0"); null for replies that carry none (220 greeting, 334, 354, EHLO/HELO).</summary>
    public string? EnhancedStatus { get; }

    public IReadOnlyList<string> Lines { get; }

    public bool IsPositive => Code < 400;

    public override string ToString() =>
        EnhancedStatus is null ? $"{Code} {string.Join(" / ", Lines)}" : $"{Code} {EnhancedStatus} {string.Join(" / ", Lines)}";
}
