using System.Diagnostics;
using Ipvs.KernelTests.Infrastructure;
using Ipvs.Model;
using static Ipvs.KernelTests.Infrastructure.KernelLab;

namespace Ipvs.KernelTests;

/// <summary>Opening the client in a namespace by name, by /run/netns path and by /proc/PID/ns/net.</summary>
public sealed class NamespaceTests
{
    [Fact]
    public async Task ClientOpensNamespaceByNameByPathAndByProcess_AndTheTablesStayApart()
    {
        await using var ns = await Netns.CreateAsync();
        await using var other = await Netns.CreateAsync();
        var rootBefore = (await Proc.RunAsync("ipvsadm", "-Sn")).EnsureSuccess().Lines;

        // A process living in the namespace; its /proc/PID/ns/net names the namespace.
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in new[] { "netns", "exec", ns.Name, "sleep", "60" })
        {
            psi.ArgumentList.Add(a);
        }
        using var sleeper = Process.Start(psi)!;
        try
        {
            // ip netns exec execs the command in place, so the pid is sleep's once the exec happened.
            var procPath = $"/proc/{sleeper.Id}/ns/net";
            var nsInode = await Inode(ns.Path);
            for (int i = 0; i < 100 && await Inode(procPath) != nsInode; i++)
            {
                await Task.Delay(20, Ct);
            }
            Assert.Equal(nsInode, await Inode(procPath));

            using var byProc = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = procPath });
            using var byPath = IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = ns.Path });
            using var byName = ns.OpenClient();
            using var inOther = other.OpenClient();

            await byProc.AddServiceAsync(new VirtualService(ServiceKey.Tcp("10.0.0.1:80")) { Scheduler = "rr" }, Ct);
            await byPath.AddServiceAsync(new VirtualService(ServiceKey.Tcp("10.0.0.2:80")) { Scheduler = "rr" }, Ct);
            await byName.AddDestinationAsync(ServiceKey.Tcp("10.0.0.1:80"), new Destination("192.168.0.1:80"), Ct);
            await inOther.AddServiceAsync(new VirtualService(ServiceKey.Udp("10.0.0.3:53")), Ct);

            Lines.SameSet(
                ["-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1", "-A -t 10.0.0.2:80 -s rr"],
                await ns.SaveAsync());
            Lines.Equal(["-A -u 10.0.0.3:53 -s wlc"], await other.SaveAsync());
            foreach (var c in new[] { byProc, byPath, byName })
            {
                Assert.Equal(2, (await c.GetTableAsync(Ct)).Count);
            }
            Assert.Single(await inOther.GetServicesAsync(Ct));

            // The lab's own (root) namespace never saw any of it.
            Lines.Equal(rootBefore, (await Proc.RunAsync("ipvsadm", "-Sn")).EnsureSuccess().Lines, "root namespace table");
            Assert.Empty(rootBefore);

            // A namespace that does not exist is reported, not silently replaced by ours.
            var missing = Assert.ThrowsAny<NetlinkException>(() => IpvsClient.Open(new IpvsClientOptions { NetworkNamespace = "kt-nosuchns" }));
            Assert.Contains("kt-nosuchns", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            sleeper.Kill();
            await sleeper.WaitForExitAsync(Ct);
        }
    }

    private static async Task<string> Inode(string path) =>
        (await Proc.RunAsync("stat", "-L", "-c", "%d:%i", path)).Stdout.Trim();
}
