global using Ipvs.Model;
global using Xunit;
