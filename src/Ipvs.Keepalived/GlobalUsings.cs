global using System.Collections.Immutable;
global using System.Net;
global using System.Net.Sockets;
global using Ipvs.Model;
