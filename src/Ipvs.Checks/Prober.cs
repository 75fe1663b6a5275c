using Ipvs.Checks.Probes;
using Ipvs.Checks.Reactor;

namespace Ipvs.Checks;

/// <summary>
/// Runs one attempt of a check now, honouring its connect and read timeouts (and a program's
/// timeout). A failing target never throws: the result says why, in a few words
/// (<c>connect: connection refused</c>, <c>status 503 not in 200-299</c>,
/// <c>timeout after 2 s reading the reply</c>). Only the caller's cancellation throws
/// (<see cref="OperationCanceledException"/>).
/// </summary>
public static class Prober
{
    /// <summary>One attempt of <paramref name="check"/> against <paramref name="target"/>, its unset settings taken from <paramref name="defaults"/>.</summary>
    public static ValueTask<ProbeResult> ProbeAsync(HealthCheck check, CheckTarget target, CheckDefaults defaults, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(defaults);
        return ProbeResolvedAsync(defaults.Resolve(check), target, defaults.MaxHttpBodyBytes, cancellationToken);
    }

    /// <summary>
    /// One attempt of a check already resolved with <see cref="CheckDefaults.Resolve"/>. Plain HTTP
    /// and TCP checks run on the check reactor (Linux) from <paramref name="plan"/> (the scheduler
    /// keeps one per check; null builds one); <paramref name="inline"/> lets a caller on the reactor
    /// thread (the scheduler) continue there when the attempt ends.
    /// </summary>
    internal static ValueTask<ProbeResult> ProbeResolvedAsync(HealthCheck check, CheckTarget target, int maxBodyBytes, CancellationToken cancellationToken, SocketPlan? plan = null, bool inline = false)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ProbeResult>(cancellationToken);
        }
        plan ??= SocketPlan.For(check, target, maxBodyBytes);
        if (plan is not null && CheckReactor.Shared is { } reactor)
        {
            return reactor.Run(plan, cancellationToken, inline);
        }
        return ProbeOnStreamAsync(check, target, maxBodyBytes, cancellationToken);
    }

    private static async ValueTask<ProbeResult> ProbeOnStreamAsync(HealthCheck check, CheckTarget target, int maxBodyBytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long start = Stopwatch.GetTimestamp();
        Outcome outcome;
        try
        {
            outcome = check switch
            {
                HttpCheck http => await HttpProbe.RunAsync(http, target, maxBodyBytes, cancellationToken).ConfigureAwait(false),
                TcpCheck tcp => await TcpProbe.RunAsync(tcp, target, cancellationToken).ConfigureAwait(false),
                UdpCheck udp => await UdpProbe.RunAsync(udp, target, cancellationToken).ConfigureAwait(false),
                DnsCheck dns => await DnsProbe.RunAsync(dns, target, cancellationToken).ConfigureAwait(false),
                SmtpCheck smtp => await SmtpProbe.RunAsync(smtp, target, cancellationToken).ConfigureAwait(false),
                IcmpCheck icmp => await IcmpProbe.RunAsync(icmp, target, cancellationToken).ConfigureAwait(false),
                ProgramCheck program => await ProgramProbe.RunAsync(program, target, cancellationToken).ConfigureAwait(false),
                FileCheck file => FileProbe.Run(file),
                DelegateCheck probe => await DelegateProbe.RunAsync(probe, target, cancellationToken).ConfigureAwait(false),
                _ => Outcome.Fail($"the {check.Kind} check has no prober"),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ProbeFailure failure)
        {
            outcome = Outcome.Fail(failure.Message);
        }
        // A check is a loop that must outlive any one attempt: an error no prober foresaw still only fails that attempt.
        catch (Exception e)
        {
            outcome = Outcome.Fail($"{e.GetType().Name}: {e.Message}");
        }
        return new ProbeResult(outcome.Passed, Stopwatch.GetElapsedTime(start), outcome.Error, outcome.Weight);
    }
}
