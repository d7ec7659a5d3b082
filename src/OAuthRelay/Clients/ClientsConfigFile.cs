using System.Text.Json;
using System.Text.Json.Nodes;

namespace OAuthRelay.Clients;

/// <summary>
/// Edits the Clients section of the operator's JSON file. The new file is written beside the old one and renamed over
/// it, so the running relay's reload never sees half a file.
/// </summary>
internal static class ClientsConfigFile
{
    /// <summary>Sets a client's OAuth to true, false, or removes it (inherit the global Relay:OAuth).</summary>
    public static void SetOAuth(string path, string client, bool? oauth)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })?.AsObject()
                   ?? throw new InvalidOperationException($"{path} is not a JSON object.");
        var entry = root["Clients"]?[client]?.AsObject() ?? throw new InvalidOperationException($"There is no client '{client}' under Clients in {path}.");
        if (oauth is { } value) entry["OAuth"] = value;
        else entry.Remove("OAuth");

        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
        File.Move(temporary, path, overwrite: true);
    }
}
