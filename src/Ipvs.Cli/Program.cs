using Ipvs.Cli;

// System.CommandLine turns SIGINT and SIGTERM into cancellation of the running command.
return await CliApp.RunAsync(args, CliConsole.Standard(), KernelAccess.Real).ConfigureAwait(false);
