using System.ComponentModel;

namespace Ipvs.Checks.Probes;

/// <summary>
/// MISC_CHECK: runs the program with its argument list (never a shell), stdin closed at once and
/// stdout and stderr drained. Exit status 0 passes; with DynamicWeight, 1 fails and 2 to 255
/// pass with the weight status − 2 (misc_dynamic); without it, any other status fails. At the
/// timeout the whole process tree is killed and the attempt fails.
/// <para>
/// Run-as (<see cref="ProgramCheck.User"/>): .NET cannot change user between fork and exec, so the
/// program runs under util-linux's <c>setpriv --reuid=UID --regid=GID --init-groups --</c>, with
/// the user's primary group and supplementary groups; setpriv execs the program, so the process
/// killed at the timeout is the program itself.
/// </para>
/// <para>
/// Environment: the daemon's, plus IPVS_SERVICE (the service, <c>tcp:10.0.0.1:80</c>),
/// IPVS_DESTINATION (the real server, <c>10.0.0.2:80</c>) and IPVS_CHECK_TARGET (where the check
/// is aimed after connect_ip/connect_port). keepalived passes none of these; they save repeating
/// the address in the arguments. A check shared by several services (see
/// <see cref="CheckScheduler.Register(HealthCheck, CheckTarget, CheckState)"/>) sees the first one's.
/// </para>
/// </summary>
internal static class ProgramProbe
{
    internal const string SetPriv = "/usr/bin/setpriv";

    // After the program exits, its output pipes may stay open in a surviving descendant; wait this
    // long for the rest of the output, then stop reading.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(200);

    // SIGKILL is immediate, but reaping may lag on a loaded machine.
    private static readonly TimeSpan ReapLimit = TimeSpan.FromSeconds(10);

    public static async ValueTask<Outcome> RunAsync(ProgramCheck check, CheckTarget target, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(check, target) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return Outcome.Fail($"cannot run {process.StartInfo.FileName}: {Words.Lower(e.Message)}");
        }
        process.StandardInput.Close();
        using var drain = new CancellationTokenSource();
        var stdout = new OutputTail();
        var stderr = new OutputTail();
        var draining = Task.WhenAll(
            stdout.DrainAsync(process.StandardOutput.BaseStream, drain.Token),
            stderr.DrainAsync(process.StandardError.BaseStream, drain.Token));
        var limit = check.Timeout!.Value;
        using var timeout = new AttemptTimeout(cancellationToken);
        timeout.Start(limit);
        bool killed = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            killed = true;
            Kill(process);
            // Reap without the caller's token: cancelling must not leave a running program behind.
            using var reap = new CancellationTokenSource(ReapLimit);
            try
            {
                await process.WaitForExitAsync(reap.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (reap.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Outcome.Fail($"timed out after {Words.Seconds(limit)}; killed, but still not gone after {Words.Seconds(ReapLimit)}");
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            drain.CancelAfter(DrainGrace);
            await draining.ConfigureAwait(false);
        }
        if (killed)
        {
            return Outcome.Fail($"timed out after {Words.Seconds(limit)}, killed");
        }
        return Judge(check, process.ExitCode, stderr, stdout);
    }

    private static Outcome Judge(ProgramCheck check, int status, OutputTail stderr, OutputTail stdout)
    {
        if (status == 0)
        {
            return Outcome.Pass;
        }
        if (check.DynamicWeight && status is >= 2 and <= 255)
        {
            return Outcome.PassWithWeight(status - 2);
        }
        var output = stderr.ToString() is { Length: > 0 } errors ? errors : stdout.ToString();
        return Outcome.Fail(output.Length == 0 ? $"exit status {status}" : $"exit status {status}: {output}");
    }

    private static ProcessStartInfo StartInfo(ProgramCheck check, CheckTarget target)
    {
        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        if (check.User is { } user)
        {
            var (uid, gid) = Users.Find(user) ?? throw new ProbeFailure($"the user '{user}' does not exist");
            if (!File.Exists(SetPriv))
            {
                throw new ProbeFailure($"running as '{user}' needs {SetPriv} (util-linux), which is missing");
            }
            info.FileName = SetPriv;
            info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--reuid={uid}"));
            info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--regid={gid}"));
            info.ArgumentList.Add("--init-groups");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(check.Path);
        }
        else
        {
            info.FileName = check.Path;
        }
        foreach (var argument in check.Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["IPVS_SERVICE"] = target.Service.ToString();
        info.Environment["IPVS_DESTINATION"] = target.Destination.Key.ToString();
        info.Environment["IPVS_CHECK_TARGET"] = CheckTarget.Format(target.Endpoint);
        return info;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It exited between the timeout and the kill.
        }
    }
}
