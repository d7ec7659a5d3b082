namespace OAuthRelay.Spool;

/// <summary>
/// A message's content on disk, exactly as the client sent it, from <paramref name="ContentOffset"/> of its file (a
/// queue file starts with its envelope line), with its envelope: what a transport sends.
/// </summary>
public sealed record SpooledMessage(Envelope Envelope, string ContentPath, long ContentOffset = 0)
{
    public FileStream OpenContent()
    {
        var file = new FileStream(ContentPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        file.Position = ContentOffset;
        return file;
    }
}
