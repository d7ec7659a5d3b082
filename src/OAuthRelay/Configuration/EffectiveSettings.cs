using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace OAuthRelay.Configuration;

/// <summary>Every setting of bound options as "Section:Key = value" lines, defaults included; secrets masked.</summary>
internal static partial class EffectiveSettings
{
    public static IEnumerable<string> Lines(string path, object? value) => value switch
    {
        null => [$"{path} = (not set)"],
        _ when SecretKey().IsMatch(path) => [$"{path} = ********"],
        string or ValueType => [$"{path} = {Format(value)}"],
        IDictionary { Count: 0 } or ICollection { Count: 0 } => [$"{path} = (none)"],
        IDictionary dictionary => dictionary.Keys.Cast<object>().SelectMany(key => Lines($"{path}:{key}", dictionary[key])),
        IEnumerable list => [$"{path} = {string.Join(", ", list.Cast<object>().Select(Format))}"],
        _ => value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .SelectMany(p => Lines($"{path}:{p.Name}", p.GetValue(value))),
    };

    private static string Format(object value) => value switch
    {
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// Passwords, hashes, secrets, keys and tokens, and the Redis connection string (it may hold the password); a path
    /// to a secret file is not itself a secret.
    /// </summary>
    [GeneratedRegex("(Password|PasswordHash|Secret|CacheKey|BearerToken|^State:Redis)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();
}
