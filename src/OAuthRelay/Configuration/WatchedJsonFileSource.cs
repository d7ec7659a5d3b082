using Microsoft.Extensions.Configuration.Json;

namespace OAuthRelay.Configuration;

/// <summary>The operator's JSON file as a configuration source whose provider can tell when the file's content changed.</summary>
public sealed class WatchedJsonFileSource : JsonConfigurationSource
{
    /// <summary>The file as configured (it may be a symbolic link); its content is read through the links.</summary>
    public required string FullPath { get; init; }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new WatchedJsonFileProvider(this);
    }
}
