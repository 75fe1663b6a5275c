global using System.Collections.Immutable;
global using System.Diagnostics;
global using System.Globalization;
global using System.Net;
global using System.Net.Sockets;
global using Ipvs.Desired;
global using Ipvs.Model;
