using OAuthRelay.Spool;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Delivery;

/// <summary>Capture mode's folder across a crash: unfinished temporary files go at start, captured messages stay.</summary>
public sealed class CaptureDeliveryTests
{
    [Fact]
    public async Task Temporary_files_left_by_a_crash_are_deleted_at_start_and_captured_messages_are_kept()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-capture-crash-").FullName;
        string[] leftovers = [$".{MessageIds.New(TimeProvider.System)}.eml.tmp", $".{MessageIds.New(TimeProvider.System)}.eml.tmp"];
        string[] kept = [$"{MessageIds.New(TimeProvider.System)}.eml", "notes.tmp"];
        foreach (var name in leftovers.Concat(kept)) await File.WriteAllTextAsync(Path.Combine(folder, name), "Subject: half\r\n");

        await using (var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Delivery:CaptureFolder"] = folder }))
        {
            Assert.Equal(kept.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
            Assert.Contains($"Deleted 2 unfinished capture file(s) from an earlier run in {folder}", Assert.Single(host.Logs.Lines, l => l.Contains("unfinished capture file")));
        }

        Directory.Delete(folder, recursive: true);
    }
}
