using System.Net;
using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Cli.Formats;

/// <summary>
/// The order ipvs prints tables in: a total order (ipvsadm's is not: its comparisons wrap
/// around), so JSON output is stable for diffs. Address services come first (IPv4 before IPv6,
/// then protocol, address, port), then firewall marks; destinations by address and port.
/// </summary>
internal static class TableOrder
{
    public static IEnumerable<ServiceEntry> Sort(IEnumerable<ServiceEntry> table) =>
        table.OrderBy(e => e.Key, ServiceKeyComparer.Instance);

    public static IEnumerable<DestinationInfo> Sort(IEnumerable<DestinationInfo> dests) =>
        dests.OrderBy(d => d.Destination.Address, AddressComparer.Instance).ThenBy(d => d.Destination.Port);

    public sealed class ServiceKeyComparer : IComparer<ServiceKey>
    {
        public static readonly ServiceKeyComparer Instance = new();

        public int Compare(ServiceKey x, ServiceKey y)
        {
            int c = x.IsFirewallMark.CompareTo(y.IsFirewallMark);
            if (c != 0)
            {
                return c;
            }
            c = Family(x.Family).CompareTo(Family(y.Family));
            if (c != 0)
            {
                return c;
            }
            if (x.IsFirewallMark)
            {
                return x.FirewallMark.CompareTo(y.FirewallMark);
            }
            c = ((ushort)x.Protocol).CompareTo((ushort)y.Protocol);
            if (c != 0)
            {
                return c;
            }
            c = AddressComparer.Instance.Compare(x.Address, y.Address);
            return c != 0 ? c : x.Port.CompareTo(y.Port);
        }

        private static int Family(AddressFamily f) => f == AddressFamily.InterNetworkV6 ? 1 : 0;
    }

    public sealed class AddressComparer : IComparer<IPAddress?>
    {
        public static readonly AddressComparer Instance = new();

        public int Compare(IPAddress? x, IPAddress? y)
        {
            if (x is null || y is null)
            {
                return (x is null).CompareTo(y is null) * -1;
            }
            Span<byte> a = stackalloc byte[16];
            Span<byte> b = stackalloc byte[16];
            x.TryWriteBytes(a, out int la);
            y.TryWriteBytes(b, out int lb);
            int c = la.CompareTo(lb);
            return c != 0 ? c : a[..la].SequenceCompareTo(b[..lb]);
        }
    }
}
