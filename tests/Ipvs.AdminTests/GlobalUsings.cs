global using System.Text;
global using Ipvs.AdminTests.Infrastructure;
global using Xunit;
