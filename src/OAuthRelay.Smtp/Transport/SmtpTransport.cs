using System.IO.Pipelines;
using OAuthRelay.Connections;
using OAuthRelay.Smtp.Protocol;

namespace OAuthRelay.Smtp.Transport;

/// <summary>
/// One SMTP connection's lines: command lines in (unreadable ones turned into the reply they are owed), replies out.
/// Replies are flushed only when the client's pipelined input has all been answered (RFC 2920).
/// </summary>
internal sealed class SmtpTransport(PipeReader input, PipeWriter output) : LineTransport(input, output)
{
    /// <summary>One command line; an over-long line is answered 500 5.5.6, NUL, bare CR or bare LF 500 5.5.2.</summary>
    public async ValueTask<LineReadResult> ReadCommandAsync(int maxLength, CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(maxLength, cancellationToken);
        return line.Error switch
        {
            LineError.None when line.IsClosed => LineReadResult.Closed,
            LineError.None => new LineReadResult(line.Text, null),
            LineError.TooLong => new LineReadResult(null, SmtpReplies.LineTooLong),
            LineError.BadEnding => new LineReadResult(null, SmtpReplies.BadLineEnding),
            _ => new LineReadResult(null, SmtpReplies.SyntaxError("invalid UTF-8")),
        };
    }

    /// <summary>Queues a reply; it is sent at the next flush or when the engine waits for input.</summary>
    public void Write(SmtpReply reply)
    {
        for (var i = 0; i < reply.Lines.Count; i++)
        {
            var separator = i == reply.Lines.Count - 1 ? ' ' : '-';
            // Reply text can come from an upstream server: a CR or LF in it must not start a reply of its own.
            var line = reply.Lines[i].ReplaceLineEndings(" ");
            WriteText(reply.EnhancedStatus is null ? $"{reply.Code}{separator}{line}\r\n" : $"{reply.Code}{separator}{reply.EnhancedStatus} {line}\r\n");
        }
    }
}
