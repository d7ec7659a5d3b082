using System.Text;
using MailKit.Net.Smtp;
using MimeKit;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;
using OAuthRelay.Upstream;

namespace OAuthRelay.Delivery;

/// <summary>
/// One client transaction relayed live: MAIL and RCPT go upstream as the client sends them (so each recipient gets
/// the upstream's own verdict), the content is spooled, then sent with MailKit from the spool file without re-encoding.
/// The connection is held from MAIL to the end of DATA and then returns to the pool.
/// </summary>
internal sealed partial class UpstreamTransaction(UpstreamSmtpPool pool, MessageSpool spool, UpstreamIdentity identity, ILogger logger) : IDeliveryTransaction
{
    private static readonly SmtpReply ConnectionLost = new(451, "4.4.1", "The upstream connection was lost, try again later");

    private readonly List<string> _recipients = [];
    private UpstreamLease? _lease;
    private string _reversePath = string.Empty;
    private MailParameters _parameters = MailParameters.None;

    public async ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken)
    {
        try
        {
            _lease = await pool.LeaseAsync(identity, cancellationToken);
            var command = new StringBuilder($"MAIL FROM:<{reversePath}>");
            if (parameters.DeclaredSize is { } size) command.Append($" SIZE={size}");
            if (parameters.Body == MailBodyType.EightBitMime) command.Append(" BODY=8BITMIME");
            if (parameters.SmtpUtf8) command.Append(" SMTPUTF8");
            var reply = await StepAsync(command.ToString(), cancellationToken);
            if (!reply.IsPositive) await ReleaseAsync();
            else (_reversePath, _parameters) = (reversePath, parameters);
            return reply;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(e);
        }
    }

    public async ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken)
    {
        if (_lease is null) return ConnectionLost;
        try
        {
            var reply = await StepAsync($"RCPT TO:<{forwardPath}>", cancellationToken);
            if (reply.IsPositive) _recipients.Add(forwardPath);
            return reply;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(e);
        }
    }

    public async ValueTask<SmtpReply> DataAsync(string messageId, Stream content, CancellationToken cancellationToken)
    {
        if (_lease is null) return ConnectionLost;
        await using var file = await spool.WriteAsync(messageId, content, cancellationToken);
        try
        {
            // MailKit sends its own MAIL and RCPT before the data; the live ones are cleared first.
            await _lease.Client.CommandAsync("RSET", cancellationToken);
            _lease.Connection.InTransaction = false;
            var format = FormatOptions.Default.Clone();
            format.International = _parameters.SmtpUtf8;
            // Persistent: the parts' content stays in the spool file and is streamed from it; headers are written
            // back from their raw bytes, and Prepare does nothing, so the upstream gets the client's bytes.
            await using var stored = file.OpenRead();
            using var message = await MimeMessage.LoadAsync(stored, persistent: true, cancellationToken);
            var recipients = _recipients.Select(r => new MailboxAddress(string.Empty, r));
            var accepted = await _lease.Client.SendAsync(format, message, new MailboxAddress(string.Empty, _reversePath), recipients, cancellationToken);
            return ReplyMapper.Accepted(messageId, accepted);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(e);
        }
        finally
        {
            await ReleaseAsync();
        }
    }

    private async Task<SmtpReply> StepAsync(string command, CancellationToken cancellationToken)
    {
        _lease!.Connection.InTransaction = true;
        var response = await _lease.Client.CommandAsync(command, cancellationToken);
        return ReplyMapper.FromUpstream((int)response.StatusCode, response.Response);
    }

    /// <summary>Maps the failure; anything but an SMTP verdict leaves the connection unusable.</summary>
    private async ValueTask<SmtpReply> FailAsync(Exception exception)
    {
        if (exception is not SmtpCommandException) _lease?.MarkBroken();
        if (_lease is not null && exception is not SmtpCommandException) await ReleaseAsync();
        var reply = ReplyMapper.FromException(exception);
        // The upstream's own verdicts speak for themselves; anything else is logged with its cause.
        if (exception is not SmtpCommandException) LogFailed(identity.ToString(), exception.GetType().Name, exception.Message, reply.ToString());
        return reply;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream as {Identity} failed: {Error}: {Detail}; the client is told {Reply}")]
    private partial void LogFailed(string identity, string error, string detail, string reply);

    private async ValueTask ReleaseAsync()
    {
        var lease = _lease;
        _lease = null;
        _recipients.Clear();
        if (lease is not null) await lease.DisposeAsync();
    }

    public ValueTask DisposeAsync() => ReleaseAsync();
}
