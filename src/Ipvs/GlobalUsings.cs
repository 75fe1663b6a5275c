global using System.Buffers;
global using System.Buffers.Binary;
global using System.Diagnostics.CodeAnalysis;
global using System.Net;
global using System.Runtime.CompilerServices;
