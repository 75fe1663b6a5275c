using System.Globalization;
using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>
/// What identifies a virtual service: protocol, address and port, or a firewall mark and family.
/// Written as <c>tcp:10.0.0.1:80</c>, <c>udp:[2001:db8::1]:53</c>, <c>fwmark:1</c> or <c>fwmark6:1</c>.
/// </summary>
public readonly record struct ServiceKey
{
    private ServiceKey(AddressFamily family, IpvsProtocol protocol, IPAddress? address, ushort port, uint firewallMark)
    {
        Family = family;
        Protocol = protocol;
        Address = address;
        Port = port;
        FirewallMark = firewallMark;
    }

    /// <summary>InterNetwork or InterNetworkV6.</summary>
    public AddressFamily Family { get; }

    /// <summary>The protocol; TCP for firewall-mark services, as the kernel records them.</summary>
    public IpvsProtocol Protocol { get; }

    /// <summary>The virtual address; null for a firewall-mark service.</summary>
    public IPAddress? Address { get; }

    /// <summary>The virtual port; 0 for a firewall-mark service, or for "all ports" with persistence.</summary>
    public ushort Port { get; }

    /// <summary>The firewall mark, or 0 for an address-keyed service.</summary>
    public uint FirewallMark { get; }

    /// <summary>True when the service is keyed by firewall mark.</summary>
    public bool IsFirewallMark => FirewallMark != 0;

    /// <summary>A service keyed by protocol, address and port.</summary>
    public static ServiceKey Create(IpvsProtocol protocol, IPAddress address, ushort port)
    {
        Endpoints.RequireIp(address, nameof(address));
        if (!Enum.IsDefined(protocol))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "The protocol must be TCP, UDP or SCTP.");
        }
        return new ServiceKey(address.AddressFamily, protocol, address, port, 0);
    }

    /// <summary>A TCP service from <c>ADDRESS:PORT</c>.</summary>
    public static ServiceKey Tcp(string endpoint) => FromEndpoint(IpvsProtocol.Tcp, endpoint);

    /// <summary>A UDP service from <c>ADDRESS:PORT</c>.</summary>
    public static ServiceKey Udp(string endpoint) => FromEndpoint(IpvsProtocol.Udp, endpoint);

    /// <summary>An SCTP service from <c>ADDRESS:PORT</c>.</summary>
    public static ServiceKey Sctp(string endpoint) => FromEndpoint(IpvsProtocol.Sctp, endpoint);

    /// <summary>A service keyed by firewall mark (1 to 4294967295).</summary>
    public static ServiceKey ForFirewallMark(uint mark, AddressFamily family = AddressFamily.InterNetwork)
    {
        if (mark == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mark), mark, "A firewall mark must be 1 or more; 0 means 'no mark'.");
        }
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "The family must be InterNetwork or InterNetworkV6.");
        }
        return new ServiceKey(family, IpvsProtocol.Tcp, null, 0, mark);
    }

    /// <summary>
    /// Parses <c>10.0.0.1:80</c> (TCP), <c>[2001:db8::1]:443</c>, <c>tcp:…</c>, <c>udp:…</c>,
    /// <c>sctp:…</c>, <c>fwmark:1</c> or <c>fwmark6:1</c>. A missing port means port 0.
    /// </summary>
    /// <exception cref="FormatException">The text is not a service.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A port or mark is out of range.</exception>
    public static ServiceKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return ParseCore(text);
        }
        catch (FormatException e) when (!e.Message.Contains($"'{text}'", StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not a service: {e.Message}", e);
        }
        catch (ArgumentOutOfRangeException e) when (!e.Message.Contains($"'{text}'", StringComparison.Ordinal))
        {
            throw new ArgumentOutOfRangeException($"'{text}' is not a service: {e.Message}", e);
        }
    }

    private static ServiceKey ParseCore(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var scheme = text[..colon].ToLowerInvariant();
            var rest = text[(colon + 1)..];
            switch (scheme)
            {
                case "tcp": return FromEndpoint(IpvsProtocol.Tcp, rest, portOptional: true);
                case "udp": return FromEndpoint(IpvsProtocol.Udp, rest, portOptional: true);
                case "sctp": return FromEndpoint(IpvsProtocol.Sctp, rest, portOptional: true);
                case "fwmark":
                case "fwmark6":
                    if (!uint.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out uint mark))
                    {
                        throw new FormatException($"'{rest}' in '{text}' is not a firewall mark (1 to 4294967295).");
                    }
                    return ForFirewallMark(mark, scheme == "fwmark6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            }
        }
        return FromEndpoint(IpvsProtocol.Tcp, text, portOptional: true);
    }

    /// <summary>Like <see cref="Parse"/>, but returns false instead of throwing.</summary>
    public static bool TryParse(string? text, out ServiceKey key)
    {
        try
        {
            key = text is null ? default : Parse(text);
            return text is not null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            key = default;
            return false;
        }
    }

    /// <summary>The canonical text form, which <see cref="Parse"/> reads back.</summary>
    public override string ToString()
    {
        if (IsFirewallMark)
        {
            return (Family == AddressFamily.InterNetworkV6 ? "fwmark6:" : "fwmark:") + FirewallMark.ToString(CultureInfo.InvariantCulture);
        }
        var proto = Protocol switch
        {
            IpvsProtocol.Tcp => "tcp",
            IpvsProtocol.Udp => "udp",
            IpvsProtocol.Sctp => "sctp",
            _ => ((ushort)Protocol).ToString(CultureInfo.InvariantCulture),
        };
        return Address is null ? proto : proto + ":" + Endpoints.Format(Address, Port);
    }

    private static ServiceKey FromEndpoint(IpvsProtocol protocol, string endpoint, bool portOptional = false)
    {
        var (address, port) = Endpoints.ParseAddressPort(endpoint, portOptional, nameof(endpoint));
        return new ServiceKey(address.AddressFamily, protocol, address, port, 0);
    }

    // Wire decoding may meet protocols other than the three named ones; keep them as they are.
    internal static ServiceKey FromKernel(AddressFamily family, ushort protocol, IPAddress? address, ushort port, uint mark) =>
        mark != 0
            ? new ServiceKey(family, IpvsProtocol.Tcp, null, 0, mark)
            : new ServiceKey(family, (IpvsProtocol)protocol, address, port, 0);
}

/// <summary>What identifies a destination within its service: address and port.</summary>
public readonly record struct DestinationKey
{
    /// <summary>Creates a key.</summary>
    public DestinationKey(IPAddress address, ushort port)
    {
        Endpoints.RequireIp(address, nameof(address));
        Address = address;
        Port = port;
    }

    /// <summary>The real server's address.</summary>
    public IPAddress Address { get; }

    /// <summary>The real server's port; 0 means "the port the client asked for" (DR, TUN, fwmark).</summary>
    public ushort Port { get; }

    /// <summary>Parses <c>192.168.0.1:80</c>, <c>[2001:db8::2]:80</c> or an address alone (port 0).</summary>
    public static DestinationKey Parse(string text)
    {
        var (address, port) = Endpoints.ParseAddressPort(text, portOptional: true, nameof(text));
        return new DestinationKey(address, port);
    }

    /// <summary><c>ADDRESS:PORT</c>, with brackets for IPv6.</summary>
    public override string ToString() => Address is null ? "" : Endpoints.Format(Address, Port);
}
