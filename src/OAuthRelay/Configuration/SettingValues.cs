using System.ComponentModel;
using System.Reflection;

namespace OAuthRelay.Configuration;

/// <summary>
/// Finds settings whose text does not convert to their type (an enum's names, true or false, a number, a duration).
/// The configuration binder throws for a bad scalar without listing the valid values, and silently drops the whole
/// entry of a dictionary (a client, a listener) or the element of a list that holds one, so the raw strings are
/// checked against the options type instead.
/// </summary>
internal static class SettingValues
{
    public static IEnumerable<string> Problems(IConfigurationSection section, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return [];
        if (type.IsEnum || !type.IsClass)
        {
            return section.Value is { Length: > 0 } value && !Converts(value, type)
                ? [$"{section.Path}: '{value}' is not {Expected(type)}."]
                : [];
        }

        if (ElementType(type) is { } element) return section.GetChildren().SelectMany(child => Problems(child, element));
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .SelectMany(p => Problems(section.GetSection(p.Name), p.PropertyType));
    }

    private static bool Converts(string value, Type type)
    {
        if (type.IsEnum) return Enum.GetNames(type).Contains(value, StringComparer.OrdinalIgnoreCase);
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value); // as the binder converts
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration such as 00:05:00",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ => $"a valid {type.Name}",
    };

    /// <summary>The element type of the lists and dictionaries options use (each child section is one element).</summary>
    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : !type.IsGenericType ? null
        : type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0]
        : type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? type.GetGenericArguments()[1]
        : null;
}
