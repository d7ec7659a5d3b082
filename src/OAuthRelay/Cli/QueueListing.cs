using System.Text.Json;

namespace OAuthRelay.Cli;

/// <summary>The queue endpoints' JSON as an operator reads it: a table of messages, or one message in full.</summary>
internal static class QueueListing
{
    /// <summary>
    /// One line a message; ages and the next attempt relative to the relay's clock ("held" for a held message). Dead
    /// letters show their reason where queued messages show the last reply.
    /// </summary>
    public static void Table(JsonElement list, bool deadLetters, TextWriter output)
    {
        var now = list.GetProperty("now").GetDateTimeOffset();
        var messages = list.GetProperty("messages").EnumerateArray().ToList();
        if (messages.Count == 0)
        {
            output.WriteLine(deadLetters ? "No dead letters." : "The queue is empty.");
            return;
        }

        output.WriteLine($"{"ID",-32} {"CLIENT",-14} {"ACCOUNT",-10} {"SENDER",-28} {"RECIPIENTS",-32} {"SIZE",9} {"AGE",6} {"ATTEMPTS",8} {"NEXT",9} {(deadLetters ? "REASON" : "LAST REPLY")}");
        foreach (var m in messages)
        {
            var recipients = m.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()).ToList();
            var shown = recipients.Count > 1 ? $"{recipients[0]} (+{recipients.Count - 1})" : recipients.FirstOrDefault() ?? "";
            var next = deadLetters ? "-" : m.GetProperty("held").GetBoolean() ? "held" : Due(m.GetProperty("nextAttempt").GetDateTimeOffset() - now);
            var last = (deadLetters ? Text(m, "deadLetterReason") : Text(m, "lastReply")) ?? "-";
            output.WriteLine($"{Text(m, "id"),-32} {Text(m, "client"),-14} {Text(m, "account") ?? "-",-10} {Sender(m),-28} {shown,-32} {m.GetProperty("size").GetInt64(),9} {Age(m),6} {m.GetProperty("attempts").GetInt32(),8} {next,9} {last}");
        }

        output.WriteLine($"{messages.Count} message(s), {messages.Sum(m => m.GetProperty("size").GetInt64())} bytes.");
    }

    public static void Detail(JsonElement m, TextWriter output)
    {
        void Line(string label, string? value) => output.WriteLine($"{label + ":",-14} {value ?? "-"}");
        static string List(IEnumerable<string?> items) => string.Join(", ", items) is { Length: > 0 } joined ? joined : "(none)";

        Line("Id", Text(m, "id"));
        Line("State", Text(m, "state"));
        Line("Client", Text(m, "client"));
        Line("Account", Text(m, "account"));
        Line("Sender", Sender(m));
        Line("Recipients", List(m.GetProperty("recipients").EnumerateArray().Select(r => r.GetString())));
        Line("Size", $"{m.GetProperty("size").GetInt64()} bytes");
        Line("Received", $"{m.GetProperty("received").GetDateTimeOffset():u} ({Age(m)} ago)");
        Line("Attempts", m.GetProperty("attempts").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line("Next attempt", $"{m.GetProperty("nextAttempt").GetDateTimeOffset():u}");
        Line("Last reply", Text(m, "lastReply"));
        Line("Held", m.GetProperty("held").GetBoolean() ? "yes" : "no");
        Line("Delivered", List(m.GetProperty("delivered").EnumerateArray().Select(r => r.GetString())));
        Line("Refused", List(m.GetProperty("refused").EnumerateObject().Select(r => $"{r.Name}: {r.Value.GetString()}")));
        Line("Pending", List(m.GetProperty("pending").EnumerateArray().Select(r => r.GetString())));
        if (Text(m, "deadLetterReason") is { } reason) Line("Dead letter", reason);
    }

    private static string? Text(JsonElement message, string property) =>
        message.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The envelope sender; empty for the relay's own bounces.</summary>
    private static string Sender(JsonElement message) => Text(message, "sender") is { Length: > 0 } sender ? sender : "<>";

    private static string Age(JsonElement message) => Durations.Short(TimeSpan.FromSeconds(message.GetProperty("ageSeconds").GetDouble()));

    private static string Due(TimeSpan wait) => wait > TimeSpan.Zero ? "in " + Durations.Short(wait) : "now";
}
