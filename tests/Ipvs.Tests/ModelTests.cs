using Ipvs.Tests.Support;

namespace Ipvs.Tests;

/// <summary>Parsing, formatting and validation of the model values.</summary>
public class ServiceKeyTests
{
    [Theory]
    [InlineData("10.0.0.1:80", "tcp:10.0.0.1:80", IpvsProtocol.Tcp, "10.0.0.1", 80)]
    [InlineData("[2001:db8::1]:443", "tcp:[2001:db8::1]:443", IpvsProtocol.Tcp, "2001:db8::1", 443)]
    [InlineData("tcp:10.0.0.1:80", "tcp:10.0.0.1:80", IpvsProtocol.Tcp, "10.0.0.1", 80)]
    [InlineData("TCP:10.0.0.1:80", "tcp:10.0.0.1:80", IpvsProtocol.Tcp, "10.0.0.1", 80)]
    [InlineData("udp:10.0.0.2:53", "udp:10.0.0.2:53", IpvsProtocol.Udp, "10.0.0.2", 53)]
    [InlineData("udp:[2001:db8::53]:53", "udp:[2001:db8::53]:53", IpvsProtocol.Udp, "2001:db8::53", 53)]
    [InlineData("sctp:192.0.2.1:3868", "sctp:192.0.2.1:3868", IpvsProtocol.Sctp, "192.0.2.1", 3868)]
    [InlineData("10.0.0.1", "tcp:10.0.0.1:0", IpvsProtocol.Tcp, "10.0.0.1", 0)]
    [InlineData("2001:db8::1", "tcp:[2001:db8::1]:0", IpvsProtocol.Tcp, "2001:db8::1", 0)]
    [InlineData("tcp:[::1]", "tcp:[::1]:0", IpvsProtocol.Tcp, "::1", 0)]
    public void Address_keyed_services_parse_and_print_canonically(string text, string canonical, IpvsProtocol protocol, string address, int port)
    {
        var key = ServiceKey.Parse(text);
        Assert.Equal(protocol, key.Protocol);
        Assert.Equal(IPAddress.Parse(address), key.Address);
        Assert.Equal(port, key.Port);
        Assert.False(key.IsFirewallMark);
        Assert.Equal(IPAddress.Parse(address).AddressFamily, key.Family);
        Assert.Equal(canonical, key.ToString());
        Assert.Equal(key, ServiceKey.Parse(key.ToString()));
    }

    [Theory]
    [InlineData("fwmark:1", "fwmark:1", 1u, AddressFamily.InterNetwork)]
    [InlineData("fwmark6:1", "fwmark6:1", 1u, AddressFamily.InterNetworkV6)]
    [InlineData("FWMARK:4294967295", "fwmark:4294967295", uint.MaxValue, AddressFamily.InterNetwork)]
    public void Firewall_mark_services_parse_and_print(string text, string canonical, uint mark, AddressFamily family)
    {
        var key = ServiceKey.Parse(text);
        Assert.True(key.IsFirewallMark);
        Assert.Equal(mark, key.FirewallMark);
        Assert.Equal(family, key.Family);
        Assert.Equal(IpvsProtocol.Tcp, key.Protocol); // as the kernel records fwmark services
        Assert.Null(key.Address);
        Assert.Equal(canonical, key.ToString());
        Assert.Equal(key, ServiceKey.Parse(canonical));
    }

    [Fact]
    public void Every_key_round_trips_through_ToString_and_Parse()
    {
        Gens.AnyKey.Sample(key =>
        {
            Assert.Equal(key, ServiceKey.Parse(key.ToString()));
            Assert.True(ServiceKey.TryParse(key.ToString(), out var again));
            Assert.Equal(key, again);
        }, iter: 3000);
    }

    [Theory]
    [InlineData("10.0.0.1:70000", "70000", "'10.0.0.1:70000'")]
    [InlineData("tcp:[2001:db8::1]:65536", "65536", "'[2001:db8::1]:65536'")]
    public void A_port_above_65535_is_ArgumentOutOfRangeException_naming_it(string text, string port, string quoted)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ServiceKey.Parse(text));
        Assert.Contains($"Port {port}", e.Message, StringComparison.Ordinal);
        Assert.Contains(quoted, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[2001:db8::1:443", "[2001:db8::1:443")]  // missing ']'
    [InlineData("[2001:db8::1]443", "[2001:db8::1]443")]  // no ':' after ']'
    [InlineData("10.0.0.300:80", "10.0.0.300")]           // bad IPv4
    [InlineData("1.2.3:80", "1.2.3")]                     // IPv4 needs four parts
    [InlineData("example.com:80", "example.com")]         // names are not addresses
    [InlineData("udp:nothing", "nothing")]
    [InlineData("10.0.0.1:http", "http")]                 // ports are numbers
    [InlineData("10.0.0.1:-1", "-1")]
    [InlineData("fwmark:abc", "abc")]
    [InlineData("fwmark:-1", "-1")]
    [InlineData("", "''")]
    public void Malformed_text_is_FormatException_naming_the_offending_part(string text, string offending)
    {
        var e = Assert.Throws<FormatException>(() => ServiceKey.Parse(text));
        Assert.Contains(offending, e.Message, StringComparison.Ordinal);
        Assert.False(ServiceKey.TryParse(text, out _));
    }

    [Fact]
    public void Firewall_mark_0_is_ArgumentOutOfRangeException()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ServiceKey.Parse("fwmark:0"));
        Assert.Contains("mark", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ServiceKey.ForFirewallMark(0));
        Assert.False(ServiceKey.TryParse("fwmark6:0", out _));
    }

    [Theory]
    [InlineData("fwmark:0")]
    [InlineData("fwmark6:0")]
    [InlineData("tcp:")]
    [InlineData("udp:[2001:db8::1]:65536")]
    public void Parse_errors_quote_the_whole_input(string text)
    {
        var e = Record.Exception(() => ServiceKey.Parse(text));
        Assert.True(e is FormatException or ArgumentOutOfRangeException, $"unexpected {e}");
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(ServiceKey.TryParse(null, out var key));
        Assert.Equal(default, key);
        Assert.Throws<ArgumentNullException>(() => ServiceKey.Parse(null!));
    }

    [Fact]
    public void Factories_agree_with_Parse()
    {
        Assert.Equal(ServiceKey.Parse("tcp:10.0.0.1:80"), ServiceKey.Tcp("10.0.0.1:80"));
        Assert.Equal(ServiceKey.Parse("udp:10.0.0.1:53"), ServiceKey.Udp("10.0.0.1:53"));
        Assert.Equal(ServiceKey.Parse("sctp:10.0.0.1:9"), ServiceKey.Sctp("10.0.0.1:9"));
        Assert.Equal(ServiceKey.Parse("fwmark6:3"), ServiceKey.ForFirewallMark(3, AddressFamily.InterNetworkV6));
        Assert.Equal(ServiceKey.Parse("udp:[::1]:53"), ServiceKey.Create(IpvsProtocol.Udp, IPAddress.IPv6Loopback, 53));
        // The endpoint factories need a port; Parse does not.
        Assert.Throws<FormatException>(() => ServiceKey.Tcp("10.0.0.1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ServiceKey.Create((IpvsProtocol)1, IPAddress.Loopback, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ServiceKey.ForFirewallMark(1, AddressFamily.Unix));
    }

    [Theory]
    [InlineData("192.168.0.1:80", "192.168.0.1:80")]
    [InlineData("[2001:db8::2]:80", "[2001:db8::2]:80")]
    [InlineData("192.168.0.1", "192.168.0.1:0")]
    public void Destination_keys_parse_and_print(string text, string canonical)
    {
        var key = DestinationKey.Parse(text);
        Assert.Equal(canonical, key.ToString());
        Assert.Equal(key, DestinationKey.Parse(canonical));
    }
}

public class ModelValidationTests
{
    [Fact]
    public void A_scheduler_name_over_15_characters_is_ArgumentException()
    {
        Assert.Equal("abcdefghijklmno", new Scheduler("abcdefghijklmno").Name);
        var e = Assert.Throws<ArgumentException>(() => new Scheduler("abcdefghijklmnop"));
        Assert.Contains("abcdefghijklmnop", e.Message, StringComparison.Ordinal);
        Assert.Contains("15", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\t")]
    [InlineData("caf\u00e9")]
    public void Scheduler_names_must_be_printable_ASCII_and_not_empty(string name)
    {
        Assert.Throws<ArgumentException>(() => new Scheduler(name));
    }

    [Fact]
    public void The_default_scheduler_is_wlc_and_equals_an_explicit_wlc()
    {
        Assert.Equal("wlc", default(Scheduler).Name);
        Assert.Equal(Scheduler.WeightedLeastConnection, default);
        Assert.Equal(new Scheduler("rr"), (Scheduler)"rr");
        Assert.Equal("wlc", new VirtualService(ServiceKey.Parse("fwmark:1")).Scheduler.Name);
    }

    [Fact]
    public void A_negative_weight_is_ArgumentOutOfRangeException()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Destination(IPAddress.Loopback, 80) { Weight = -1 });
        Assert.Contains("-1", e.Message, StringComparison.Ordinal);
        Assert.Equal(int.MaxValue, new Destination(IPAddress.Loopback, 80) { Weight = int.MaxValue }.Weight);
        Assert.Equal(1, new Destination(IPAddress.Loopback, 80).Weight);
    }

    [Fact]
    public void An_unknown_forwarding_method_is_ArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Destination(IPAddress.Loopback, 80) { Forwarding = (ForwardingMethod)7 });
    }

    [Fact]
    public void Empty_keys_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new VirtualService(default(ServiceKey)));
        Assert.Throws<ArgumentException>(() => new Destination(default(DestinationKey)));
    }

    [Theory]
    [InlineData(129)]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_IPv6_prefix_outside_1_to_128_is_ArgumentOutOfRangeException(int prefix)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Netmask.FromPrefixLength(prefix, AddressFamily.InterNetworkV6));
        Assert.Contains(prefix.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        if (prefix >= 0)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Netmask.Parse(prefix.ToString(System.Globalization.CultureInfo.InvariantCulture), AddressFamily.InterNetworkV6));
        }
    }

    [Theory]
    [InlineData(33)]
    [InlineData(-1)]
    public void An_IPv4_prefix_outside_0_to_32_is_ArgumentOutOfRangeException(int prefix)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Netmask.FromPrefixLength(prefix));
    }

    [Theory]
    [InlineData("255.255.255.0", AddressFamily.InterNetwork, 0xFFFFFF00u, "255.255.255.0", 24)]
    [InlineData("24", AddressFamily.InterNetwork, 0xFFFFFF00u, "255.255.255.0", 24)]
    [InlineData("/24", AddressFamily.InterNetwork, 0xFFFFFF00u, "255.255.255.0", 24)]
    [InlineData("32", AddressFamily.InterNetwork, 0xFFFFFFFFu, "255.255.255.255", 32)]
    [InlineData("0", AddressFamily.InterNetwork, 0u, "0.0.0.0", 0)]
    [InlineData("0.0.0.0", AddressFamily.InterNetwork, 0u, "0.0.0.0", 0)]
    [InlineData("255.0.255.0", AddressFamily.InterNetwork, 0xFF00FF00u, "255.0.255.0", null)]
    [InlineData("64", AddressFamily.InterNetworkV6, 64u, "64", 64)]
    [InlineData("/128", AddressFamily.InterNetworkV6, 128u, "128", 128)]
    [InlineData("1", AddressFamily.InterNetworkV6, 1u, "1", 1)]
    public void Netmasks_parse_and_format_as_ipvsadm_prints_them(string text, AddressFamily family, uint value, string printed, int? prefix)
    {
        var m = Netmask.Parse(text, family);
        Assert.Equal(family, m.Family);
        Assert.Equal(value, m.Value);
        Assert.Equal(printed, m.ToString());
        Assert.Equal(prefix, m.PrefixLength);
        Assert.Equal(m, Netmask.Parse(m.ToString(), family));
    }

    [Theory]
    [InlineData("abc", AddressFamily.InterNetwork)]
    [InlineData("255.255.255.0", AddressFamily.InterNetworkV6)]
    [InlineData("ffff::", AddressFamily.InterNetwork)]
    [InlineData("", AddressFamily.InterNetwork)]
    public void Text_that_is_no_netmask_is_FormatException_naming_it(string text, AddressFamily family)
    {
        var e = Assert.Throws<FormatException>(() => Netmask.Parse(text, family));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_IPv4_prefix_maps_to_its_contiguous_mask_and_back()
    {
        for (int p = 0; p <= 32; p++)
        {
            var m = Netmask.FromPrefixLength(p);
            Assert.Equal(p, m.PrefixLength);
            Assert.Equal(m, Netmask.FromIPv4Mask(IPAddress.Parse(m.ToString())));
        }
    }

    [Fact]
    public void A_netmask_of_the_wrong_family_is_refused_and_the_default_is_full()
    {
        var v4 = new VirtualService(ServiceKey.Parse("tcp:10.0.0.1:80"));
        var v6 = new VirtualService(ServiceKey.Parse("tcp:[::1]:80"));
        Assert.Equal(Netmask.Full(AddressFamily.InterNetwork), v4.Netmask);
        Assert.Equal(128, v6.Netmask.PrefixLength);
        Assert.Throws<ArgumentException>(() => v4 with { Netmask = Netmask.FromPrefixLength(64, AddressFamily.InterNetworkV6) });
        Assert.Throws<ArgumentException>(() => Netmask.FromIPv4Mask(IPAddress.IPv6Loopback));
        // An explicit full mask is the same value as the default.
        Assert.Equal(v4, v4 with { Netmask = Netmask.FromPrefixLength(32) });
    }

    [Fact]
    public void Persistent_and_Hashed_are_not_kept_in_Flags()
    {
        var s = new VirtualService(ServiceKey.Parse("fwmark:1"))
        {
            Flags = ServiceFlags.Persistent | ServiceFlags.Hashed | ServiceFlags.OnePacket,
        };
        Assert.Equal(ServiceFlags.OnePacket, s.Flags);
        Assert.False(s.IsPersistent);
        Assert.True((s with { PersistenceTimeout = 1 }).IsPersistent);
    }

    [Fact]
    public void A_persistence_engine_is_a_name_and_empty_means_none()
    {
        var s = new VirtualService(ServiceKey.Parse("fwmark:1"));
        Assert.Null((s with { PersistenceEngine = "" }).PersistenceEngine);
        Assert.Equal("sip", (s with { PersistenceEngine = "sip" }).PersistenceEngine);
        Assert.Throws<ArgumentException>(() => s with { PersistenceEngine = "has space" });
    }
}

public class KernelCapabilitiesTests
{
    [Theory]
    [InlineData("6.1.0-27-amd64", "6.1.0")]
    [InlineData("5.2", "5.2")]
    [InlineData("4.19.0+", "4.19.0")]
    [InlineData("3.10.0-1160.el7.x86_64", "3.10.0")]
    [InlineData("6.8.0-45-generic", "6.8.0")]
    [InlineData("5.15.153.1-microsoft-standard-WSL2", "5.15.153")]
    [InlineData("6", "6.0")]
    [InlineData("", "0.0")]
    [InlineData("Linux", "0.0")]
    [InlineData("6.1.0-rc1", "6.1.0")]
    [InlineData("6.2-rc7", "6.2")]
    [InlineData("5.10.0-28-amd64", "5.10.0")]
    [InlineData("6.1.176", "6.1.176")]
    [InlineData("1.2.3.4", "1.2.3")]
    [InlineData("6..1", "6.0")]
    [InlineData("6.", "6.0")]
    [InlineData(" 6.1", "0.0")]
    [InlineData("-6.1", "0.0")]
    [InlineData("\uFF16.\uFF11", "0.0")] // full-width digits are not ASCII digits, whatever the culture
    [InlineData("007.010.002", "7.10.2")]
    [InlineData("2147483647.0", "2147483647.0")]
    public void Kernel_releases_parse_to_their_numeric_version(string release, string version)
    {
        Assert.Equal(Version.Parse(version), KernelCapabilities.ParseRelease(release));
        Assert.Equal(Version.Parse(version), KernelCapabilities.ParseRelease(release.AsSpan()));
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("6.99999999999")]
    public void A_release_number_beyond_int_is_an_overflow(string release)
    {
        Assert.Throws<OverflowException>(() => KernelCapabilities.ParseRelease(release));
    }

    [Theory]
    [InlineData("3.17", false, false, false, false, false)]
    [InlineData("3.18", true, false, false, false, false)]
    [InlineData("4.1", true, true, false, false, false)]
    [InlineData("4.3", true, true, true, false, false)]
    [InlineData("5.2", true, true, true, true, false)]
    [InlineData("5.3", true, true, true, true, true)]
    [InlineData("6.1.0", true, true, true, true, true)]
    public void Features_follow_the_kernel_version(string version, bool mixed, bool stats64, bool sync, bool tunnelTypes, bool tunnelFlags)
    {
        var caps = new KernelCapabilities(Version.Parse(version));
        Assert.Equal((mixed, stats64, sync, tunnelTypes, tunnelFlags),
            (caps.MixedFamilyDestinations, caps.Stats64, caps.SyncMulticastSettings, caps.TunnelTypes, caps.TunnelFlags));
    }
}

public class IpvsErrorsTests
{
    // libipvs ipvs_strerror (ipvsadm 1.31), row by row: the command rows first, then "any".
    [Theory]
    [InlineData(IpvsCommand.NewService, Errno.EEXIST, "Service already exists")]
    [InlineData(IpvsCommand.NewService, Errno.ENOENT, "Scheduler or persistence engine not found")]
    [InlineData(IpvsCommand.SetService, Errno.ESRCH, "No such service")]
    [InlineData(IpvsCommand.SetService, Errno.ENOENT, "Scheduler or persistence engine not found")]
    [InlineData(IpvsCommand.DelService, Errno.ESRCH, "No such service")]
    [InlineData(IpvsCommand.Zero, Errno.ESRCH, "No such service")]
    [InlineData(IpvsCommand.NewDest, Errno.ESRCH, "Service not defined")]
    [InlineData(IpvsCommand.NewDest, Errno.EEXIST, "Destination already exists")]
    [InlineData(IpvsCommand.SetDest, Errno.ESRCH, "Service not defined")]
    [InlineData(IpvsCommand.SetDest, Errno.ENOENT, "No such destination")]
    [InlineData(IpvsCommand.DelDest, Errno.ESRCH, "Service not defined")]
    [InlineData(IpvsCommand.DelDest, Errno.ENOENT, "No such destination")]
    [InlineData(IpvsCommand.NewDaemon, Errno.EEXIST, "Daemon has already run")]
    [InlineData(IpvsCommand.DelDaemon, Errno.ESRCH, "No daemon is running")]
    [InlineData(IpvsCommand.GetDest, Errno.ESRCH, "No such service")]
    [InlineData(IpvsCommand.GetService, Errno.ESRCH, "No such service")]
    [InlineData(IpvsCommand.NewService, Errno.EPERM, "Permission denied (you must be root)")]
    [InlineData(IpvsCommand.GetInfo, Errno.EPERM, "Permission denied (you must be root)")]
    [InlineData(IpvsCommand.NewDest, Errno.EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ...")]
    [InlineData(IpvsCommand.Flush, Errno.ENOPROTOOPT, "Protocol not available")]
    [InlineData(IpvsCommand.NewService, Errno.ENOMEM, "Memory allocation problem")]
    [InlineData(IpvsCommand.GetDest, Errno.EOPNOTSUPP, "Operation not supported with IPv6")]
    [InlineData(IpvsCommand.NewService, Errno.EAFNOSUPPORT, "Operation not supported with specified address family")]
    [InlineData(IpvsCommand.SetConfig, Errno.EMSGSIZE, "Module is wrong version")]
    public void Messages_match_ipvsadm_word_for_word(IpvsCommand command, int errno, string message)
    {
        Assert.Equal(message, IpvsErrors.Message(command, errno));
    }

    // Rows that name another function do not match; strerror() is the fallback.
    [Theory]
    [InlineData(IpvsCommand.NewService, Errno.ESRCH, "No such process")]
    [InlineData(IpvsCommand.DelService, Errno.ENOENT, "No such file or directory")]
    [InlineData(IpvsCommand.NewDest, Errno.ENOENT, "No such file or directory")]
    [InlineData(IpvsCommand.SetService, Errno.EEXIST, "File exists")]
    [InlineData(IpvsCommand.DelDaemon, Errno.EEXIST, "File exists")]
    [InlineData(IpvsCommand.NewDaemon, Errno.ESRCH, "No such process")]
    [InlineData(IpvsCommand.NewDest, Errno.ERANGE, "Numerical result out of range")]
    [InlineData(IpvsCommand.NewDaemon, Errno.ENODEV, "No such device")]
    [InlineData(IpvsCommand.NewService, Errno.ETIMEDOUT, "Connection timed out")]
    [InlineData(IpvsCommand.NewService, 200, "Unknown error 200")]
    public void Other_errors_fall_back_to_strerror(IpvsCommand command, int errno, string message)
    {
        Assert.Equal(message, IpvsErrors.Message(command, errno));
    }

    [Fact]
    public void IpvsException_leads_with_the_ipvsadm_text_and_names_the_subject_and_errno()
    {
        var e = new IpvsException(IpvsCommand.NewService, Errno.EEXIST, null, 7, "tcp:10.0.0.1:80");
        Assert.Equal("Service already exists (NewService tcp:10.0.0.1:80, EEXIST)", e.Message);
        Assert.Equal("Service already exists", e.IpvsadmMessage);
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal(7u, e.Sequence);
        var k = new IpvsException(IpvsCommand.NewDaemon, Errno.EINVAL, "Attribute failed policy validation");
        Assert.EndsWith(": Attribute failed policy validation", k.Message, StringComparison.Ordinal);
        Assert.Equal("Attribute failed policy validation", k.KernelMessage);
    }
}
