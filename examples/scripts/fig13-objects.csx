// The thesis's Fig. 13 in C#: live objects. Adding a service or a destination, or setting a
// property of one that is added, changes the kernel at once.
//   ipvs script examples/scripts/fig13-objects.csx            (ipvs --netns NAME script … for a namespace)
var s = new Service("10.0.0.1:80", scheduler: "wrr").Add();

var d1 = new Dest("192.168.0.1:80", weight: 1);
var d2 = new Dest("192.168.0.2:80", weight: 3);

s.AddDest(d1);
s.AddDest(d2);

Log($"s.Addr => {s.Addr}");         // 10.0.0.1
Log($"s.Port => {s.Port}");         // 80
Log($"d1.Weight => {d1.Weight}");   // 1
d1.Weight = 3;                      // applied to the kernel at once, because d1 is added
Log($"d1.Weight => {d1.Weight}");   // 3

// Read back from the kernel: the destinations, compared by address and port, and their counters.
foreach (var d in s.Dests)
{
    Log($"{d} weight {d.Weight}, active {d.ActiveConns}, inactive {d.InactConns}");
}
Log($"s.Dests.Contains(d1) => {s.Dests.Contains(d1)}");
