// The thesis's Fig. 13 scenario (mruby-ipvs, 2014) through the Ipvs library:
//   service 10.0.0.1:80 with wrr; destinations 192.168.0.1:80 (weight 1) and 192.168.0.2:80
//   (weight 3), masquerading; then the first destination's weight changed to 3.
// Usage: ThesisFig13 [NETNS]   (a netns name under /run/netns, or a path; default: this netns)
using System.Globalization;
using Ipvs;
using Ipvs.Model;

var options = new IpvsClientOptions { NetworkNamespace = args.Length > 0 ? args[0] : null };
using var ipvs = IpvsClient.Open(options);

var service = ServiceKey.Tcp("10.0.0.1:80");
await ipvs.AddServiceAsync(new VirtualService(service) { Scheduler = Scheduler.WeightedRoundRobin });

var d1 = new Destination("192.168.0.1:80", weight: 1, ForwardingMethod.Masquerade);
var d2 = new Destination("192.168.0.2:80", weight: 3, ForwardingMethod.Masquerade);
await ipvs.AddDestinationAsync(service, d1);
await ipvs.AddDestinationAsync(service, d2);
Print("after adding both destinations", await ipvs.GetTableAsync());

// d1.weight = 3 in the thesis: a partial edit that keeps every other setting.
await ipvs.EditDestinationAsync(service, d1.Key, d => d with { Weight = 3 });
var table = await ipvs.GetTableAsync();
Print("after d1.Weight = 3", table);

// Reading a weight back is a lookup, not a grep of ipvsadm's text (the thesis's Fig. 11/12).
var weight = table.Single(e => e.Key == service).Destinations.Single(d => d.Key == d1.Key).Destination.Weight;
Console.WriteLine($"d1.Weight => {weight.ToString(CultureInfo.InvariantCulture)}");
return weight == 3 ? 0 : 1;

static void Print(string title, IReadOnlyList<ServiceEntry> table)
{
    Console.WriteLine($"== {title}");
    Console.WriteLine("Service                    Scheduler  Destination             Forward     Weight  Active  Inactive");
    foreach (var entry in table)
    {
        Console.WriteLine($"{entry.Key,-26} {entry.Info.Service.Scheduler,-10}");
        foreach (var d in entry.Destinations)
        {
            Console.WriteLine($"{"",-26} {"",-10} {d.Key,-23} {d.Destination.Forwarding,-11} {d.Destination.Weight,6}  {d.ActiveConnections,6}  {d.InactiveConnections,8}");
        }
    }
}
