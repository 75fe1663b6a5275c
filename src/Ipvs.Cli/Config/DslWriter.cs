using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Ipvs.Desired;
using Ipvs.Model;

namespace Ipvs.Cli.Config;

/// <summary>
/// Writes a desired state as a C# script in the VirtualServer DSL (`ipvs convert`): every
/// kernel setting, every daemon setting, every health check and hook, so that checking,
/// planning or applying the script gives what importing the source gives.
/// </summary>
internal static class DslWriter
{
    public static string Write(DesiredState state, string source)
    {
        var w = new StringBuilder();
        w.Append("// Converted from ").Append(source).Append(" by `ipvs convert`.\n");
        w.Append("// ipvs check|plan|apply this file; health checks and hooks are declared for `ipvs run`.\n");
        if (state.Timeouts is { } t)
        {
            w.Append('\n').Append("LvsTimeouts(")
                .Append(string.Join(", ", new[] { ("tcp", t.Tcp), ("tcpFin", t.TcpFin), ("udp", t.Udp) }
                    .Where(x => x.Item2 > TimeSpan.Zero).Select(x => $"{x.Item1}: {Time(x.Item2)}")))
                .Append(");\n");
        }
        foreach (var s in state.Services)
        {
            Service(w, s);
        }
        return w.ToString();
    }

    private static void Service(StringBuilder w, DesiredService s)
    {
        var v = s.Service;
        var kind = CommonForwarding(s);
        w.Append('\n').Append("VirtualServer(").Append(Str(v.Key.ToString())).Append(", vs =>\n{\n");
        Line(w, 1, $"vs.LbAlgo = {Str(v.Scheduler.Name)};");
        Line(w, 1, $"vs.LbKind = {Forward(kind)};");
        if (v.IsPersistent)
        {
            Line(w, 1, $"vs.PersistenceTimeout = {v.PersistenceTimeout.ToString(CultureInfo.InvariantCulture)};");
        }
        if (v.Netmask != Netmask.Full(v.Key.Family))
        {
            Line(w, 1, $"vs.PersistenceGranularity = {Str(v.Netmask.ToString())};");
        }
        if (v.PersistenceEngine is { } pe)
        {
            Line(w, 1, $"vs.PersistenceEngine = {Str(pe)};");
        }
        if ((v.Flags & ServiceFlags.OnePacket) != 0)
        {
            Line(w, 1, "vs.OnePacket = true;");
        }
        var schedulerFlags = v.Flags & ~ServiceFlags.OnePacket;
        if (schedulerFlags != ServiceFlags.None)
        {
            Line(w, 1, $"vs.SchedulerFlags = {Value(schedulerFlags)};");
        }
        Policy(w, s.Policy, kind);
        foreach (var d in s.Destinations)
        {
            Destination(w, d, kind);
        }
        w.Append("});\n");
    }

    private static void Policy(StringBuilder w, ServicePolicy p, ForwardingMethod kind)
    {
        var defaults = ServicePolicy.Default;
        if (p.Quorum != defaults.Quorum)
        {
            Line(w, 1, $"vs.Quorum = {p.Quorum.ToString(CultureInfo.InvariantCulture)};");
        }
        if (p.Hysteresis != defaults.Hysteresis)
        {
            Line(w, 1, $"vs.Hysteresis = {p.Hysteresis.ToString(CultureInfo.InvariantCulture)};");
        }
        if (p.DelayLoop is { } delay)
        {
            Line(w, 1, $"vs.DelayLoop = {Time(delay)};");
        }
        if (p.VirtualHost is { } host)
        {
            Line(w, 1, $"vs.VirtualHost = {Str(host)};");
        }
        foreach (var (name, on) in new[] { ("Alpha", p.Alpha), ("Omega", p.Omega), ("InhibitOnFailure", p.InhibitOnFailure), ("SorryServerInhibit", p.SorryServerInhibit) })
        {
            if (on)
            {
                Line(w, 1, $"vs.{name} = true;");
            }
        }
        if (p.SorryServer is { } sorry)
        {
            string lbKind = sorry.Forwarding == kind ? "" : $", lbKind: {Forward(sorry.Forwarding)}";
            string weight = sorry.Weight == 1 ? "" : $", weight: {sorry.Weight.ToString(CultureInfo.InvariantCulture)}";
            Line(w, 1, $"vs.SorryServer({Str(Endpoint(sorry.Address, sorry.Port))}{lbKind}{weight});");
        }
        Hook(w, 1, "vs.QuorumUp", p.QuorumUp);
        Hook(w, 1, "vs.QuorumDown", p.QuorumDown);
    }

    private static void Destination(StringBuilder w, DesiredDestination dd, ForwardingMethod kind)
    {
        var d = dd.Destination;
        var body = new StringBuilder();
        Line(body, 2, $"rs.Weight = {d.Weight.ToString(CultureInfo.InvariantCulture)};");
        if (d.Forwarding != kind)
        {
            Line(body, 2, $"rs.LbKind = {Forward(d.Forwarding)};");
        }
        if (d.UpperThreshold != 0)
        {
            Line(body, 2, $"rs.UpperThreshold = {d.UpperThreshold.ToString(CultureInfo.InvariantCulture)};");
        }
        if (d.LowerThreshold != 0)
        {
            Line(body, 2, $"rs.LowerThreshold = {d.LowerThreshold.ToString(CultureInfo.InvariantCulture)};");
        }
        if (d.Forwarding == ForwardingMethod.Tunnel)
        {
            if (d.TunnelType != TunnelType.IpIp)
            {
                Line(body, 2, $"rs.TunnelType = {Value(d.TunnelType)};");
            }
            if (d.TunnelPort != 0)
            {
                Line(body, 2, $"rs.TunnelPort = {d.TunnelPort.ToString(CultureInfo.InvariantCulture)};");
            }
            if (d.TunnelFlags != TunnelFlags.NoChecksum)
            {
                Line(body, 2, $"rs.TunnelFlags = {Value(d.TunnelFlags)};");
            }
        }
        if (dd.InhibitOnFailure is { } inhibit)
        {
            Line(body, 2, $"rs.InhibitOnFailure = {(inhibit ? "true" : "false")};");
        }
        if (dd.SlowStart is { } slow)
        {
            Line(body, 2, $"rs.SlowStart({Time(slow.Duration)}, initialWeight: {slow.InitialWeight.ToString(CultureInfo.InvariantCulture)});");
        }
        Hook(body, 2, "rs.NotifyUp", dd.NotifyUp);
        Hook(body, 2, "rs.NotifyDown", dd.NotifyDown);
        foreach (var check in dd.Checks)
        {
            Line(body, 2, $"rs.HealthCheck({Check(check)});");
        }
        w.Append("    vs.RealServer(").Append(Str(Endpoint(d.Address, d.Port))).Append(", rs =>\n    {\n").Append(body).Append("    });\n");
    }

    // The forwarding most destinations use becomes the service's LbKind (keepalived's lb_kind);
    // the others say theirs.
    private static ForwardingMethod CommonForwarding(DesiredService s) =>
        s.Destinations.Length == 0
            ? s.Policy.SorryServer?.Forwarding ?? ForwardingMethod.Masquerade
            : s.Destinations.GroupBy(d => d.Destination.Forwarding).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;

    private static void Hook(StringBuilder w, int depth, string method, Desired.Hook? hook)
    {
        switch (hook)
        {
            case null:
                return;
            case ProgramHook p:
                Line(w, depth, $"{method}({string.Join(", ", new[] { p.Path }.Concat(p.Arguments).Select(Str))});");
                return;
            default:
                // A C# lambda has no text to carry over (a keepalived.conf never has one).
                Line(w, depth, $"// {method}: a C# callback in the source ({hook.Location}) is not convertible");
                return;
        }
    }

    /// <summary>A health check as a C# object initializer of its Desired record: every setting that differs from the record's default.</summary>
    internal static string Check(HealthCheck check)
    {
        var type = check.GetType();
        HealthCheck template;
        string creation;
        switch (check)
        {
            case ProgramCheck p:
                creation = $"new ProgramCheck({string.Join(", ", new[] { p.Path }.Concat(p.Arguments).Select(Str))})";
                template = new ProgramCheck(p.Path, p.Arguments);
                break;
            case FileCheck f:
                creation = $"new FileCheck({Str(f.Path)})";
                template = new FileCheck(f.Path);
                break;
            case DelegateCheck:
                return "ctx => throw new NotSupportedException(\"a C# check in the source is not convertible\")";
            default:
                creation = $"new {type.Name}()";
                template = (HealthCheck)Activator.CreateInstance(type)!;
                break;
        }
        var settings = new List<string>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.SetMethod is null || p.Name is "Location" || (check is ProgramCheck && p.Name is "Path" or "Arguments") || (check is FileCheck && p.Name is "Path"))
            {
                continue;
            }
            object? value = p.GetValue(check);
            object? fallback = p.GetValue(template);
            if (!Same(value, fallback))
            {
                settings.Add($"{p.Name} = {Value(value)}");
            }
        }
        return settings.Count == 0 ? creation : $"{creation} {{ {string.Join(", ", settings)} }}";
    }

    private static bool Same(object? a, object? b) =>
        a is IEnumerable x && b is IEnumerable y && a is not string
            ? x.Cast<object?>().SequenceEqual(y.Cast<object?>())
            : Equals(a, b);

    private static string Value(object? v) => v switch
    {
        null => "null",
        string s => Str(s),
        bool b => b ? "true" : "false",
        TimeSpan t => Time(t),
        IPAddress a => $"IPAddress.Parse({Str(a.ToString())})",
        StatusRange r => $"new StatusRange({r.Low.ToString(CultureInfo.InvariantCulture)}, {r.High.ToString(CultureInfo.InvariantCulture)})",
        Enum e => EnumValue(e),
        ImmutableArray<byte> bytes => $"[{string.Join(", ", bytes.Select(b => "0x" + b.ToString("x2", CultureInfo.InvariantCulture)))}]",
        IFormattable f when v.GetType().IsPrimitive => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => $"[{string.Join(", ", items.Cast<object?>().Select(Value))}]",
        _ => throw new NotSupportedException($"ipvs convert cannot write a {v.GetType().Name} yet"),
    };

    private static string EnumValue(Enum e)
    {
        string type = e.GetType().Name;
        if (Enum.IsDefined(e.GetType(), e))
        {
            return $"{type}.{e}";
        }
        // Flags: the named bits joined with |.
        ulong bits = Convert.ToUInt64(e, CultureInfo.InvariantCulture);
        var names = Enum.GetValues(e.GetType()).Cast<Enum>()
            .Where(f => Convert.ToUInt64(f, CultureInfo.InvariantCulture) is var fb && fb != 0 && (fb & (fb - 1)) == 0 && (bits & fb) == fb)
            .Select(f => $"{type}.{f}").Distinct().ToList();
        return names.Count > 0 ? string.Join(" | ", names) : $"({type}){bits.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string Forward(ForwardingMethod f) => f switch
    {
        ForwardingMethod.Masquerade => "Nat",
        ForwardingMethod.DirectRoute => "Dr",
        ForwardingMethod.Tunnel => "Tun",
        _ => $"ForwardingMethod.{f}",
    };

    private static string Time(TimeSpan t) =>
        t.Ticks % TimeSpan.TicksPerSecond == 0 && t.TotalSeconds <= int.MaxValue ? $"{(long)t.TotalSeconds}.Seconds()"
        : t.Ticks % TimeSpan.TicksPerMillisecond == 0 && t.TotalMilliseconds <= int.MaxValue ? $"{(long)t.TotalMilliseconds}.Milliseconds()"
        : $"TimeSpan.FromTicks({t.Ticks.ToString(CultureInfo.InvariantCulture)})";

    private static string Endpoint(IPAddress a, ushort port) =>
        a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]:{port}" : $"{a}:{port}";

    private static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private static void Line(StringBuilder w, int depth, string text) => w.Append(' ', depth * 4).Append(text).Append('\n');
}
