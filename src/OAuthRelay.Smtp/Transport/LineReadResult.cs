using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Smtp.Transport;

/// <summary>One command line, or the reply owed for a line that could not be taken, or the end of the connection.</summary>
internal readonly record struct LineReadResult(string? Line, SmtpReply? Error)
{
    public static readonly LineReadResult Closed = new(null, null);

    public bool IsClosed => Line is null && Error is null;
}
