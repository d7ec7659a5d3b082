using MailKit.Net.Smtp;
using MimeKit;

namespace OAuthRelay.Upstream;

/// <summary>
/// MailKit's SmtpClient for relaying: never prepares (re-encodes) a message, so MimeKit writes it back exactly as
/// parsed, and can collect refused recipients instead of giving up at the first, so that a queued message goes to the
/// recipients the upstream takes.
/// </summary>
internal sealed class PassThroughSmtpClient : SmtpClient
{
    private List<(string Recipient, SmtpResponse Response)>? _refusals;

    /// <summary>From now until <see cref="StopCollectingRefusals"/>, a refused recipient is noted, not an exception.</summary>
    public void CollectRefusals() => _refusals = [];

    /// <summary>The refusals noted since <see cref="CollectRefusals"/>; collecting stops.</summary>
    public IReadOnlyList<(string Recipient, SmtpResponse Response)> StopCollectingRefusals()
    {
        var refusals = _refusals ?? [];
        _refusals = null;
        return refusals;
    }

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        if (_refusals is null) base.OnRecipientNotAccepted(message, mailbox, response);
        else _refusals.Add((mailbox.Address, response));
    }
}
