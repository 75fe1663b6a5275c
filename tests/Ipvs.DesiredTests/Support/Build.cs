namespace Ipvs.DesiredTests.Support;

/// <summary>Short builders for tables and desired states.</summary>
internal static class Build
{
    public static readonly ServiceKey Web = ServiceKey.Parse("tcp:10.0.0.1:80");
    public static readonly ServiceKey Resolver = ServiceKey.Parse("udp:10.0.0.1:53");
    public static readonly ServiceKey Other = ServiceKey.Parse("tcp:10.0.0.9:80");

    public static ServiceEntry Entry(VirtualService service, params Destination[] destinations) =>
        new(new VirtualServiceInfo(service, default), [.. destinations.Select(d => new DestinationInfo(d, 0, 0, 0, default))]);

    public static ServiceEntry[] Table(params ServiceEntry[] entries) => entries;

    public static DesiredState State(params DesiredService[] services) => new(services);

    public static DesiredService Service(VirtualService service, params Destination[] destinations) =>
        new(service, destinations.Select(DesiredDestination.FromDestination));

    public static VirtualService Wrr(ServiceKey key) => new(key) { Scheduler = "wrr" };

    public static Destination Dest(string endpoint, int weight = 1, ForwardingMethod forwarding = ForwardingMethod.Masquerade) =>
        new(endpoint, weight, forwarding);

    public static SourceLocation At(int line, int column = 1) => new("site.conf", line, column);
}
