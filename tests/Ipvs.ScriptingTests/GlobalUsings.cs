global using System.Collections.Immutable;
global using System.Net;
global using Ipvs.Desired;
global using Ipvs.Model;
global using Ipvs.Scripting;
global using Ipvs.ScriptingTests.Support;
global using Xunit;
