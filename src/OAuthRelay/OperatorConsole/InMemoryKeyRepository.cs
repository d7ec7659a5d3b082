using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace OAuthRelay.OperatorConsole;

/// <summary>
/// Keeps the keys that protect the console's cookies in memory: nothing is written to disk (the container is
/// read-only, and a key file would be one more secret to guard), and a restart simply signs everyone out.
/// </summary>
internal sealed class InMemoryKeyRepository : IXmlRepository
{
    private readonly List<XElement> _keys = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_keys) return _keys.Select(k => new XElement(k)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_keys) _keys.Add(new XElement(element));
    }
}
