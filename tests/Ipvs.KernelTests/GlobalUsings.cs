global using Ipvs.Kernel;
global using Ipvs.Netlink;
global using Xunit;
