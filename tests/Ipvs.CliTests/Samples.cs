using System.Text;
using Ipvs.Cli;

namespace Ipvs.CliTests;

/// <summary>Tables and a way to run `ipvs` in process without a kernel.</summary>
internal static class Samples
{
    public static ServiceEntry Entry(VirtualService s, params DestinationInfo[] dests) =>
        new(new VirtualServiceInfo(s, default), dests);

    public static DestinationInfo Dest(Destination d, uint active = 0, uint inactive = 0, IpvsStats stats = default) =>
        new(d, active, inactive, 0, stats);

    public static IReadOnlyList<ServiceEntry> Table() =>
    [
        Entry(new VirtualService(ServiceKey.Tcp("10.0.0.1:80")) { Scheduler = "wrr" },
            Dest(new Destination("192.168.0.2:80", 3), 5, 7),
            Dest(new Destination("192.168.0.1:80", 1))),
        Entry(new VirtualService(ServiceKey.ForFirewallMark(7)) { Scheduler = "sh", Flags = ServiceFlags.ShPort | ServiceFlags.OnePacket, PersistenceTimeout = 300, Netmask = Netmask.FromPrefixLength(24) },
            Dest(new Destination("192.168.0.3:0", 2, ForwardingMethod.DirectRoute))),
        Entry(new VirtualService(ServiceKey.Udp("[2001:db8::1]:53")) { Scheduler = "rr" },
            Dest(new Destination("192.168.0.4:53", 1, ForwardingMethod.Tunnel) { TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.Checksum })),
    ];

    /// <summary>Runs ipvs; reaching for the kernel fails the test.</summary>
    public static async Task<(int Code, string Out, string Err)> Run(string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error, () => new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? "")), false, false, false);
        var noKernel = new KernelAccess(_ => throw new InvalidOperationException("this command must not reach the kernel"));
        int code = await CliApp.RunAsync(args, console, noKernel);
        return (code, output.ToString(), error.ToString());
    }
}
