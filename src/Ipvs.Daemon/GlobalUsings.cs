global using System.Collections.Immutable;
global using System.Globalization;
global using System.Net;
global using Ipvs.Desired;
global using Ipvs.Model;
