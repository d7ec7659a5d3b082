using System.Text.RegularExpressions;

namespace OAuthRelay.Tests.Architecture;

/// <summary>
/// The folders of src/OAuthRelay are layers that depend one way: each may use only the layers before it in
/// <see cref="Layers"/> (Relay and MailboxProxy sit side by side). Read from the source, so a new cycle fails here.
/// </summary>
public sealed partial class NamespaceLayerTests
{
    private static readonly string[][] Layers =
    [
        ["Configuration"], ["Clients"], ["Spool"], ["Upstream"], ["Delivery"], ["Queue"], ["Listeners"], ["Observability"],
        ["Relay", "MailboxProxy"], ["OperatorConsole"], ["Hosting"], ["Cli"],
    ];

    [Fact]
    public void Each_folder_of_the_relay_uses_only_the_layers_below_it()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "OAuthRelay");
        var level = Layers.SelectMany((names, index) => names.Select(name => (name, index))).ToDictionary(p => p.name, p => p.index);
        var violations = new List<string>();
        foreach (var folder in Directory.GetDirectories(root).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")))
        {
            Assert.True(level.ContainsKey(folder!), $"src/OAuthRelay/{folder} is not in the layer list");
            foreach (var file in Directory.GetFiles(Path.Combine(root, folder!), "*.cs", SearchOption.AllDirectories))
            {
                foreach (Match used in Reference().Matches(File.ReadAllText(file)))
                {
                    var target = used.Groups[1].Value;
                    if (level.TryGetValue(target, out var targetLevel) && target != folder && targetLevel >= level[folder!])
                        violations.Add($"{Path.GetRelativePath(root, file)} uses {target}");
                }
            }
        }

        Assert.Empty(violations.Distinct());
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "OAuthRelay.sln"))) return directory.FullName;
        throw new InvalidOperationException("OAuthRelay.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"\bOAuthRelay\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex Reference();
}
