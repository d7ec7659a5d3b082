namespace OAuthRelay.Tests.Infrastructure;

/// <summary>A parsed SMTP reply as the client received it.</summary>
public sealed record SmtpTestReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>The first line's text after the code, for example "2.1.0 Sender OK".</summary>
    public string Text => Lines[0].Length > 4 ? Lines[0][4..] : string.Empty;

    /// <summary>The RFC 3463 code at the start of the text, or null.</summary>
    public string? EnhancedStatus => Text.Split(' ')[0] is var first && first.Count(c => c == '.') == 2 && char.IsDigit(first[0]) ? first : null;

    /// <summary>Code and enhanced status together, for one-line assertions.</summary>
    public (int Code, string? EnhancedStatus) Status => (Code, EnhancedStatus);

    /// <summary>The EHLO keywords (lines after the first).</summary>
    public IEnumerable<string> Keywords => Lines.Skip(1).Select(l => l[4..]);

    public static SmtpTestReply Parse(IReadOnlyList<string> lines) => new(int.Parse(lines[0][..3]), lines);

    public override string ToString() => string.Join(" | ", Lines);
}
