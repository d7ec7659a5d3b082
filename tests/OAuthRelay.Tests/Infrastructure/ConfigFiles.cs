using System.Text.Json.Nodes;
using OAuthRelay.Clients;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>Configuration files as an operator writes them, and waiting for the relay to reload one.</summary>
internal static class ConfigFiles
{
    public static void WriteJson(string path, Dictionary<string, string?> settings) => File.WriteAllText(path, ToJson(settings));

    public static string ToJson(Dictionary<string, string?> settings)
    {
        var root = new JsonObject();
        foreach (var (key, value) in settings)
        {
            var node = root;
            var parts = key.Split(':');
            foreach (var part in parts[..^1]) node = (JsonObject)(node[part] ??= new JsonObject());
            node[parts[^1]] = value;
        }

        return root.ToJsonString();
    }

    public static Task<string?> NextReload(ClientRegistry registry, Func<string?, bool> wanted)
    {
        var reloaded = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Reloaded += error =>
        {
            if (wanted(error)) reloaded.TrySetResult(error);
        };
        return reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
