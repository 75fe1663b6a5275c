global using System.Collections.Immutable;
global using System.Net;
global using System.Net.Sockets;
global using Ipvs.Keepalived;
global using Ipvs.Model;
global using Ipvs.KeepalivedTests.Support;
global using Xunit;
