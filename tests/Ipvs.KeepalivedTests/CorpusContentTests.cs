namespace Ipvs.KeepalivedTests;

/// <summary>What some corpus files mean, beyond parsing without errors.</summary>
public class CorpusContentTests
{
    private static KeepalivedConfig Valid(string file)
    {
        var result = KeepalivedParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "corpus", "valid", file), new KeepalivedParserOptions { ConfigId = "ipvs-lab" });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Config!;
    }

    [Fact]
    public void Includes_bring_in_globals_services_and_real_servers_from_three_levels()
    {
        var config = Valid("15-includes.conf");
        Assert.Equal(["10.12.0.100", "10.12.0.101", "10.12.0.102"], config.VirtualServers.Select(v => ((VirtualServerAddress)v.Id).Address.ToString()));
        Assert.Equal("lab_includes", config.Global.RouterId);
        Assert.Equal((900u, 120u, 300u), (config.Global.LvsTimeouts!.Tcp, config.Global.LvsTimeouts.TcpFin, config.Global.LvsTimeouts.Udp));
        Assert.EndsWith("15-includes.d/common/timeouts.conf", config.Global.LvsTimeouts.Location.File, StringComparison.Ordinal);
        Assert.Equal(["10.12.1.11", "10.12.1.12"], config.VirtualServers[2].RealServers.Select(r => r.Address.ToString()));
        Assert.Equal(7, config.Files.Length);
    }

    [Fact]
    public void Conditionals_and_definitions_give_the_labs_values()
    {
        var config = Valid("17-conditionals-definitions.conf");
        Assert.Equal("lab_main", config.Global.RouterId);
        var vs = Assert.Single(config.VirtualServers);
        Assert.Equal(new VirtualServerAddress(IPAddress.Parse("10.14.0.100"), 80), vs.Id);
        Assert.Equal(TimeSpan.FromSeconds(3), vs.DelayLoop);
        Assert.All(vs.RealServers, r => Assert.Equal(TimeSpan.FromSeconds(2), Assert.IsType<TcpChecker>(Assert.Single(r.Checkers)).Connection.Timeout));
    }

    [Fact]
    public void Quoted_and_escaped_paths_keep_their_hash()
    {
        var vs = Assert.Single(Valid("19-quoted-comments-braces.conf").VirtualServers);
        Assert.Equal("www.lab.example", vs.VirtualHost);
        Assert.Equal(["/a path/with#hash", "/x#y"], vs.RealServers.Skip(1).Select(r => ((HttpChecker)r.Checkers[0]).Urls[0].Path));
    }

    [Fact]
    public void The_lab_nat_service_checks_each_real_servers_body_digest()
    {
        var vs = Assert.Single(Valid("03-lab-nat-http.conf").VirtualServers);
        Assert.Equal("7a6c0d2ef5a9e6e1776090916c66ba3a", ((HttpChecker)vs.RealServers[0].Checkers[0]).Urls[0].Digest);
        Assert.Equal([new(200, 299), new(304, 304)], ((HttpChecker)vs.RealServers[1].Checkers[0]).Urls[0].StatusCodes);
        Assert.Equal("rs3.lab.example", ((HttpChecker)vs.RealServers[2].Checkers[0]).VirtualHost);
        Assert.Equal("www.lab.example", ((HttpChecker)vs.RealServers[0].Checkers[0]).VirtualHost);
    }

    [Fact]
    public void Tunnels_keep_their_type_port_and_checksum_per_real_server()
    {
        var config = Valid("09-tunnels.conf");
        Assert.Equal(["TUN", "TUN type gue port 6080 csum", "TUN type gre", "TUN"], config.VirtualServers[0].RealServers.Select(r => r.Method.ToString()));
        Assert.Equal(AddressFamily.InterNetworkV6, config.VirtualServers[0].RealServers[3].Address.AddressFamily);
        var second = config.VirtualServers[1];
        Assert.Equal(["TUN type gue port 6081 remcsum", "DR"], second.RealServers.Select(r => r.Method.ToString()));
        Assert.Equal(LvsMethod.Nat, second.SorryServer!.Method);
    }

    [Fact]
    public void The_global_vrrp_file_keeps_the_lvs_settings_and_skips_vrrp()
    {
        var config = Valid("16-global-vrrp.conf");
        Assert.Equal(["ops@lab.example", "noc@lab.example"], config.Global.NotificationEmails);
        Assert.Equal(("eth0", "VI_1"), (config.Global.LvsSyncDaemon!.Interface, config.Global.LvsSyncDaemon.VrrpInstance));
        Assert.Equal(["vrrp_script", "vrrp_instance"], config.NotHandled.Select(b => b.Keyword));
        Assert.False(config.VirtualServers[0].SmtpAlert);
        Assert.All(config.VirtualServers[0].RealServers, r => Assert.False(r.SmtpAlert));
        Assert.True(((TcpChecker)config.VirtualServers[0].RealServers[0].Checkers[0]).Timing.LogAllFailures);
    }
}
