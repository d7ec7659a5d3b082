using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OAuthRelay.Bench;

/// <summary>
/// A reference for the IMAP proxy: nginx's stream module terminating the upstream's TLS for a cleartext client, the
/// same hop the relay makes after login, in optimised C with one thread. What nginx reaches on this machine is about
/// as close to direct as any TLS-terminating splice gets here. Optional: Debian's nginx-light and libnginx-mod-stream.
/// </summary>
internal sealed class NginxReference : IDisposable
{
    private const string Module = "/usr/lib/nginx/modules/ngx_stream_module.so";

    private readonly Process _process;
    private readonly string _folder;

    private NginxReference(Process process, string folder, IPEndPoint endPoint)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public int Pid => _process.Id;

    /// <summary>nginx in one process (no master and workers) in front of the upstream, or null where it is not installed.</summary>
    public static async Task<NginxReference?> StartAsync(IPEndPoint upstream)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
        if (nginx is null || !File.Exists(Module)) return null;

        var folder = Directory.CreateTempSubdirectory("oauthrelay-bench-nginx-").FullName;
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            load_module {{Module}};
            master_process off;
            daemon off;
            pid {{folder}}/nginx.pid;
            error_log stderr error;
            events {}
            stream {
                server {
                    listen {{endPoint}};
                    proxy_pass {{upstream}};
                    proxy_ssl on;
                    proxy_buffer_size 64k;
                    tcp_nodelay on;
                }
            }
            """);
        var info = new ProcessStartInfo(nginx, ["-e", "stderr", "-p", folder, "-c", Path.Combine(folder, "nginx.conf")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        await WaitUntilListeningAsync(endPoint, process);
        return new NginxReference(process, folder, endPoint);
    }

    /// <summary>A port the kernel just handed out on loopback: nginx cannot be told to take any free one itself.</summary>
    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task WaitUntilListeningAsync(IPEndPoint endPoint, Process process)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (process.HasExited) throw new InvalidOperationException("nginx did not start: " + await process.StandardError.ReadToEndAsync());
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endPoint);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100); // polling a process we do not control: it has no readiness signal
            }
        }

        throw new InvalidOperationException($"nginx is not listening on {endPoint}");
    }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
