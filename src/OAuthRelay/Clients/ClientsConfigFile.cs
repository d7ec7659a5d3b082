using System.Text.Json;
using System.Text.Json.Nodes;

namespace OAuthRelay.Clients;

/// <summary>
/// Edits one client's settings in the operator's JSON file, for <c>clients set-oauth</c> and the console alike. The
/// new file is written beside the old one, checked as the relay would check it, and only then renamed over it: the
/// running relay's reload never sees half a file, and a change the check refuses is never written.
/// </summary>
internal static class ClientsConfigFile
{
    // Edits from one process (the console's requests) do not overwrite each other's read-modify-write.
    private static readonly Lock Gate = new();

    /// <summary>Sets a client's OAuth to true, false, or removes it (inherit the global Relay:OAuth).</summary>
    public static ClientFileEdit SetOAuth(string path, string client, bool? oauth, ConfigurationFileCheck check) =>
        Set(path, client, nameof(ClientOptions.OAuth), oauth is { } value ? JsonValue.Create(value) : null, check);

    /// <summary>Sets a client's delivery mode, or removes it (inherit the global Relay:DeliveryMode).</summary>
    public static ClientFileEdit SetDeliveryMode(string path, string client, DeliveryMode? mode, ConfigurationFileCheck check) =>
        Set(path, client, nameof(ClientOptions.DeliveryMode), mode is { } value ? JsonValue.Create(value.ToString()) : null, check);

    public static ClientFileEdit SetEnabled(string path, string client, bool enabled, ConfigurationFileCheck check) =>
        Set(path, client, nameof(ClientOptions.Enabled), JsonValue.Create(enabled), check);

    /// <exception cref="InvalidOperationException">The file is not a JSON object, or has no such client.</exception>
    private static ClientFileEdit Set(string path, string client, string setting, JsonNode? value, ConfigurationFileCheck check)
    {
        lock (Gate)
        {
            var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })?.AsObject()
                       ?? throw new InvalidOperationException($"{path} is not a JSON object.");
            var entry = root["Clients"]?[client]?.AsObject() ?? throw new InvalidOperationException($"There is no client '{client}' under Clients in {path}.");
            var before = entry[setting]?.ToJsonString() ?? ClientFileEdit.Unset;
            if (value is null) entry.Remove(setting);
            else entry[setting] = value;
            var edit = new ClientFileEdit($"Clients:{client}:{setting}", before, value?.ToJsonString() ?? ClientFileEdit.Unset, []);
            if (edit.Before == edit.After) return edit; // no rewrite, so no reload for nothing

            // Not dot-prefixed: the check reads the candidate through a file provider, which hides such files.
            var candidate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $"{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
            File.WriteAllText(candidate, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
            try
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(candidate, File.GetUnixFileMode(path));
                var problems = check(candidate);
                if (problems.Count > 0) return edit with { Problems = problems };
                File.Move(candidate, path, overwrite: true);
                return edit;
            }
            finally
            {
                File.Delete(candidate); // nothing there once it has been renamed
            }
        }
    }
}
