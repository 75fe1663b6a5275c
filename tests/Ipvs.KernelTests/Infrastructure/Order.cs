using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.KernelTests.Infrastructure;

/// <summary>ipvsadm's listing order (libipvs ipvs_cmp_services): fwmark, family, protocol, address, port.</summary>
internal static class Order
{
    public static IOrderedEnumerable<T> AsIpvsadm<T>(this IEnumerable<T> items, Func<T, ServiceKey> key) =>
        items.OrderBy(i => key(i).FirewallMark)
            .ThenBy(i => key(i).Family == AddressFamily.InterNetworkV6 ? 10 : 2)
            .ThenBy(i => (int)key(i).Protocol)
            .ThenBy(i => Convert.ToHexString(key(i).Address?.GetAddressBytes() ?? []), StringComparer.Ordinal)
            .ThenBy(i => key(i).Port);
}
