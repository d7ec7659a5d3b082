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

    /// <summary>
    /// The size of the content as the client sent it, for MAIL's SIZE parameter: MimeKit writes it back byte for byte,
    /// so MailKit need not write the whole message once more only to count it. Null: MailKit counts.
    /// </summary>
    public long? SpooledSize { get; set; }

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }

    protected override long GetSize(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
        KnownSize(message) ?? base.GetSize(options, message, cancellationToken);

    protected override Task<long> GetSizeAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
        KnownSize(message) is { } size ? Task.FromResult(size) : base.GetSizeAsync(options, message, cancellationToken);

    /// <summary>
    /// The spooled size, unless MailKit will send the message with BDAT (a part in binary transfer encoding and an
    /// upstream with BINARYMIME): BDAT announces the exact count of the bytes that follow, so MailKit counts them itself.
    /// </summary>
    private long? KnownSize(MimeMessage message)
    {
        if (SpooledSize is not { } size) return null;
        if ((Capabilities & SmtpCapabilities.BinaryMime) == 0) return size;
        using var parts = new MimeIterator(message);
        while (parts.MoveNext())
        {
            if (parts.Current is MimePart { ContentTransferEncoding: ContentEncoding.Binary }) return null;
        }

        return size;
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        if (_refusals is null) base.OnRecipientNotAccepted(message, mailbox, response);
        else _refusals.Add((mailbox.Address, response));
    }
}
