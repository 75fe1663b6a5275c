using System.Diagnostics;
using System.Net.Sockets;

namespace Ipvs.ScriptingTests;

/// <summary>The helpers for imperative scripts, on BCL APIs: HTTP GET, TCP connect, programs.</summary>
public sealed class HelperTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Http_get_returns_the_status_and_body_of_a_live_server()
    {
        await using var server = await TinyHttpServer.StartAsync();
        var reply = await Task.Run(() => Http.Get($"http://127.0.0.1:{server.Port}/", TimeSpan.FromSeconds(5)), Scripts.Ct);
        Assert.Equal(new HttpResult(200, "ok\n", null), reply);
        Assert.True(reply.Ok);
    }

    [Fact]
    public async Task Http_get_of_a_dead_server_has_no_body_instead_of_throwing()
    {
        await using var server = await TinyHttpServer.StartAsync();
        server.Stop();
        var reply = await Http.GetAsync($"http://127.0.0.1:{server.Port}/", TimeSpan.FromSeconds(5), Scripts.Ct);
        Assert.Equal((0, (string?)null), (reply.Status, reply.Body));
        Assert.False(reply.Ok);
        Assert.NotNull(reply.Error);
    }

    [Fact]
    public async Task Http_get_of_a_hanging_server_gives_up_at_the_timeout()
    {
        await using var server = await TinyHttpServer.StartAsync();
        server.Reply = _ => Task.Delay(TimeSpan.FromSeconds(30), Scripts.Ct);
        var clock = Stopwatch.StartNew();
        var reply = await Http.GetAsync($"http://127.0.0.1:{server.Port}/", TimeSpan.FromMilliseconds(300), Scripts.Ct);
        Assert.Null(reply.Body);
        Assert.Equal("no reply within 0.3 s", reply.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Http_get_passes_on_an_error_status_with_its_body()
    {
        await using var server = await TinyHttpServer.StartAsync();
        server.Reply = s => s.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy"u8.ToArray()).AsTask();
        var reply = await Http.GetAsync($"http://127.0.0.1:{server.Port}/", cancellationToken: Scripts.Ct);
        Assert.Equal((503, "busy", false), (reply.Status, reply.Body, reply.Ok));
    }

    [Fact]
    public async Task Tcp_connect_tells_an_open_port_from_a_closed_one()
    {
        await using var server = await TinyHttpServer.StartAsync();
        Assert.True(await Tcp.ConnectAsync("127.0.0.1", server.Port, TimeSpan.FromSeconds(5), Scripts.Ct));
        Assert.True(await Task.Run(() => Tcp.Connect(new IPEndPoint(IPAddress.Loopback, server.Port)), Scripts.Ct));
        server.Stop();
        Assert.False(await Tcp.ConnectAsync("127.0.0.1", server.Port, TimeSpan.FromSeconds(5), Scripts.Ct));
    }

    [Fact]
    public async Task Run_returns_the_exit_code_and_the_output_and_never_uses_a_shell_unless_asked()
    {
        var log = new StringWriter();
        var result = await _scripts.Run(
            """
            var r = Run("printf", ["%s|", "a b", "$HOME"]);
            Log($"[{r.Output}] {r.ExitCode} {r.Ok}");
            var sh = Sh("echo out; echo err >&2; exit 3");
            Log($"[{sh.Output.Trim()}] [{sh.Error.Trim()}] {sh.ExitCode} {sh.Ok} {sh.TimedOut}");
            return sh.ExitCode;
            """, new FakeIpvs(), log);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("[a b|$HOME|] 0 True", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("[out] [err] 3 False False", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_past_its_timeout_kills_the_whole_process_tree()
    {
        // The shell starts a grandchild that would outlive it, and says its pid.
        var clock = Stopwatch.StartNew();
        var result = await Programs.RunAsync("/bin/sh", ["-c", "sleep 30 & echo $!; wait"], TimeSpan.FromMilliseconds(500), Scripts.Ct);
        Assert.True(result.TimedOut);
        Assert.False(result.Ok);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        var grandchild = int.Parse(result.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < 50 && Directory.Exists($"/proc/{grandchild}"); i++)
        {
            await Task.Delay(100, Scripts.Ct);
        }
        Assert.False(Directory.Exists($"/proc/{grandchild}"), $"the grandchild {grandchild} survived");
    }

    [Fact]
    public async Task Run_of_a_missing_program_is_an_exception_at_the_call()
    {
        var result = await _scripts.Run("var x = 1;\nRun(\"/nonexistent/program\");\n", new FakeIpvs());
        Assert.Equal(ScriptExitCodes.Failed, result.ExitCode);
        Assert.Equal(2, Assert.Single(result.Diagnostics).Location?.Line);
    }

    [Fact]
    public void Durations_read_as_written()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), 5.Seconds());
        Assert.Equal(TimeSpan.FromSeconds(0.5), 0.5.Seconds());
        Assert.Equal(TimeSpan.FromMilliseconds(250), 250.Milliseconds());
        Assert.Equal(TimeSpan.FromMinutes(2), 2.Minutes());
    }

    [Fact]
    public async Task Tcp_is_both_the_protocol_and_the_probe_in_a_script()
    {
        await using var server = await TinyHttpServer.StartAsync();
        var state = Scripts.Ok(await _scripts.Evaluate(
            $$"""
            var up = Tcp.Connect("127.0.0.1", {{server.Port}}, 2.Seconds());
            VirtualServer("10.0.0.1:80", vs =>
            {
                vs.Protocol = up ? Tcp : Udp;
                vs.RealServer("192.168.0.1:80");
            });
            """));
        Assert.Equal(IpvsProtocol.Tcp, state.Services.Single().Key.Protocol);
        Assert.Equal(IpvsProtocol.Tcp, Tcp.ToIpvsProtocol());
    }
}
