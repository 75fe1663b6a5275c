global using System.Collections.Immutable;
global using Ipvs.Daemon.Engine;
global using Ipvs.Desired;
global using Ipvs.Model;
global using Xunit;
