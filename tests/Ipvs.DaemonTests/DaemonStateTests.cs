namespace Ipvs.DaemonTests;

public sealed class DaemonStateTests
{
    [Fact]
    public void The_state_file_round_trips_and_is_replaced_atomically()
    {
        var dir = Directory.CreateTempSubdirectory("ipvs-state-");
        try
        {
            var path = Path.Combine(dir.FullName, "sub", DaemonState.FileName);
            var t = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
            var state = new DaemonState(
                [ServiceKey.Tcp("10.0.0.1:80"), ServiceKey.ForFirewallMark(7)],
                [new DrainEntry(ServiceKey.Tcp("10.0.0.1:80"), DestinationKey.Parse("[2001:db8::1]:80"), t, t.AddMinutes(5), DrainReason.Quorum)],
                [new RememberedHealth(ServiceKey.Udp("10.0.0.1:53"), DestinationKey.Parse("192.168.0.1:53"), false)]);

            state.Save(path);
            new DaemonState([], [], []).Save(path);
            state.Save(path);

            Assert.True(state.SameAs(DaemonState.Load(path)));
            Assert.Equal([DaemonState.FileName], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_missing_state_file_is_a_first_start_and_a_damaged_one_is_a_located_error()
    {
        var dir = Directory.CreateTempSubdirectory("ipvs-state-");
        try
        {
            var path = Path.Combine(dir.FullName, DaemonState.FileName);
            Assert.Same(DaemonState.Empty, DaemonState.Load(path));
            File.WriteAllText(path, "{\"version\":1,\"managed\":[\"tcp:nonsense\"]}");
            var e = Assert.Throws<InvalidDataException>(() => DaemonState.Load(path));
            Assert.StartsWith(path + ": not a valid state file", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
