using MailKit.Net.Smtp;
using MimeKit;

namespace OAuthRelay.Upstream;

/// <summary>
/// MailKit's SmtpClient for relaying: never prepares (re-encodes) a message, so MimeKit writes it back exactly as
/// parsed, and lets the relay send MAIL, RCPT and RSET itself so the upstream's verdicts reach the client at the
/// same step.
/// </summary>
internal sealed class PassThroughSmtpClient : SmtpClient
{
    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }

    public Task<SmtpResponse> CommandAsync(string command, CancellationToken cancellationToken) => SendCommandAsync(command, cancellationToken);
}
