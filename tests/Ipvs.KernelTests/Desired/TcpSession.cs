using System.Diagnostics;
using Ipvs.KernelTests.Infrastructure;

namespace Ipvs.KernelTests.Desired;

/// <summary>
/// One long-lived TCP connection from a client namespace through the director to a lab responder
/// (which greets with its name, then echoes lines). <see cref="EchoAsync"/> sends a line and returns
/// the echo, or "DEAD" when none comes: the connection is gone.
/// </summary>
internal sealed class TcpSession : IAsyncDisposable
{
    // bash's /dev/tcp holds the connection; every stdin line goes out and its echo comes back.
    private const string Script =
        """
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        IFS= read -r -t 5 greeting <&3 || { echo NOGREETING; exit 1; }
        echo "$greeting"
        while IFS= read -r line; do
          if printf '%s\n' "$line" >&3 2>/dev/null && IFS= read -r -t 3 reply <&3; then echo "$reply"; else echo DEAD; fi
        done
        """;

    private readonly Process _process;

    private TcpSession(Process process, string server)
    {
        _process = process;
        Server = server;
    }

    /// <summary>The real server's name as it greeted (rs1, rs2, …).</summary>
    public string Server { get; }

    public static async Task<TcpSession> OpenAsync(string clientNs, string host, int port)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "netns", "exec", clientNs, "bash", "-c", Script, "bash", host, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the TCP client");
        var greeting = await ReadLineAsync(p);
        if (greeting is null or "NOGREETING")
        {
            var err = await p.StandardError.ReadToEndAsync();
            p.Kill(entireProcessTree: true);
            p.Dispose();
            Assert.Fail($"no connection to {host}:{port} from {clientNs}: {greeting} {err}");
        }
        return new TcpSession(p, greeting!);
    }

    public async Task<string> EchoAsync(string text)
    {
        await _process.StandardInput.WriteLineAsync(text);
        await _process.StandardInput.FlushAsync();
        return await ReadLineAsync(_process) ?? "DEAD";
    }

    private static async Task<string?> ReadLineAsync(Process p)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await p.StandardOutput.ReadLineAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(2000))
            {
                _process.Kill(entireProcessTree: true);
            }
            await Task.CompletedTask;
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
