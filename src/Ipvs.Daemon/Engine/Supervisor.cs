using System.Diagnostics;
using System.Threading.Channels;
using Ipvs.Checks;
using Microsoft.Extensions.Logging;

namespace Ipvs.Daemon.Engine;

/// <summary>
/// The daemon's engine: keeps the managed services' pools in the kernel as their checks, quorum,
/// slow start and drains say. One loop owns all state; checks, reload requests and a timer wake it,
/// and each wake ends in one reconciliation (read the table, shape it, plan the minimal change,
/// apply). Readers (status, metrics) get immutable snapshots.
/// </summary>
public sealed class Supervisor : IAsyncDisposable
{
    private readonly IIpvsClient _client;
    private readonly IConfigSource _source;
    private readonly SupervisorOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CheckScheduler _checks;
    private readonly HookRunner _hooks;
    private readonly Channel<string> _reloads = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ServiceKey, ServiceRuntime> _services = [];
    private readonly Dictionary<CheckHandle, List<DestinationRuntime>> _byHandle = [];
    private HashSet<ServiceKey> _managed = [];
    private List<DrainEntry> _drains = [];
    private DaemonState _saved = DaemonState.Empty;
    private DesiredState _config = new();
    private volatile CheckHandle[] _handlesSnapshot = [];
    private IReadOnlyList<ServiceEntry> _lastTable = [];
    // Stopwatch timestamp before which a reconciliation driven by check transitions waits (see RunAsync).
    private long _settleUntil;

    // A reconciliation reads the kernel's whole table, shapes, plans and rebuilds the status: work
    // in proportion to the destinations. Check transitions that keep coming (1 % of 10,000
    // destinations flapping is 100 a second) would each pay for one such pass. After a pass, the
    // next transition-driven one waits until twice the last pass's duration has gone by (at most
    // MaxSettle), and the transitions that arrive meanwhile are applied together: passes then
    // take at most a third of the time. A small table's pass takes milliseconds, so is the wait;
    // a first transition after a quiet spell is applied at once.
    private const int SettleFactor = 2;
    private static readonly TimeSpan MaxSettle = TimeSpan.FromMilliseconds(500);

    /// <summary>Creates the engine; <see cref="StartAsync"/> loads the configuration and takes the table over.</summary>
    public Supervisor(IIpvsClient client, IConfigSource source, SupervisorOptions options, ILogger log)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _time = options.Time;
        _checks = new CheckScheduler(options.Checks);
        _hooks = new HookRunner(log, options.HookTimeout);
        Status = DaemonStatus.Starting;
    }

    /// <summary>The latest status snapshot.</summary>
    public DaemonStatus Status { get; private set; }

    /// <summary>Counters for metrics.</summary>
    public SupervisorCounters Counters { get; } = new();

    /// <summary>The check scheduler, for check metrics.</summary>
    public CheckScheduler Checks => _checks;

    /// <summary>The checks in use now (a snapshot).</summary>
    public IReadOnlyList<CheckHandle> CheckHandles => _handlesSnapshot;

    /// <summary>
    /// Loads the configuration (invalid: <see cref="InvalidConfigurationException"/>, nothing
    /// touched), the remembered state, registers the checks, and reconciles once: an existing table
    /// is adopted as it is, with no flush and no re-adding of healthy destinations.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var load = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (!load.IsValid)
        {
            throw new InvalidConfigurationException(_source.Description, load.Errors);
        }
        foreach (var w in load.Warnings)
        {
            _log.LogWarning("{Warning}", w);
        }
        if (_options.StateFile is { } path)
        {
            _saved = DaemonState.Load(path);
            _managed = [.. _saved.Managed];
            _drains = [.. _saved.Drains];
        }
        var remembered = _saved.Health.ToDictionary(h => (h.Service, h.Destination), h => h.Up);
        Install(load.State!, remembered);
        _log.LogInformation("Loaded {Source}: {Services} service(s), {Destinations} destination(s), {Checks} check(s); {Drains} drain(s) carried over",
            _source.Description, _config.Services.Length, _config.Services.Sum(s => s.Destinations.Length), _byHandle.Count, _drains.Count);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        Rehearse();
        ReturnStartupMemory();
    }

    // Reading a big configuration allocates far more than it keeps (a 10,000-real-server
    // keepalived.conf: about 170 MB allocated for 20 MB kept), and what lived through the parse
    // sits in the older generations, which the GC visits rarely. One full, compacting collection
    // that gives free memory back to the system, after start-up and after each reload, keeps that
    // out of the daemon's resident memory for the rest of its life. It stops the process for a
    // few milliseconds, once.
    private static void ReturnStartupMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    // The first failover after the start would otherwise compile (JIT) the whole path from a
    // destination going down to the plan that takes it out, while the clock runs. Walk that path
    // once now, on a copy: one destination of the first service judged down, shaped against the
    // kernel's table, planned and rendered, and everything thrown away. Nothing reaches the kernel,
    // the state or the logs.
    private void Rehearse()
    {
        var service = _services.Values.FirstOrDefault(s => s.Destinations.Count > 0);
        if (service is null)
        {
            return;
        }
        try
        {
            var now = _time.GetUtcNow();
            var victim = service.Destinations.Keys.First();
            var decision = PoolPolicy.Decide(service.Config,
                key => key == victim ? DestinationHealth.Failed : service.Destinations.TryGetValue(key, out var d) ? d.Health : DestinationHealth.Healthy,
                service.QuorumUp, now);
            var kernel = _lastTable.Where(e => e.Key == service.Config.Key).ToList();
            var shape = TableShaper.Shape(kernel, [new ManagedService(service.Config, decision)], new HashSet<ServiceKey>(), [], _options.Drain, now, null);
            var plan = Planner.Plan(shape.Scope, null, shape.Desired, new PlanOptions { Prune = true });
            foreach (var change in plan.Changes)
            {
                _ = PlanText.Line(change, withService: true);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A rehearsal only warms code up; whatever it trips on, the real pass reports.
            _log.LogDebug("Warm-up skipped: {Error}", e.Message);
        }
    }

    /// <summary>Asks the loop to reload the configuration (SIGHUP, a file change).</summary>
    public void RequestReload(string why) => _reloads.Writer.TryWrite(why);

    /// <summary>Runs until cancelled: waits for check transitions, reloads and timers, and reconciles after each.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var transitions = _checks.Transitions;
        while (!cancellationToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(NextInterval());
                try
                {
                    var a = transitions.WaitToReadAsync(wait.Token).AsTask();
                    var b = _reloads.Reader.WaitToReadAsync(wait.Token).AsTask();
                    await Task.WhenAny(a, b).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
            cancellationToken.ThrowIfCancellationRequested();

            long settle = _settleUntil - Stopwatch.GetTimestamp();
            if (settle > 0 && !_reloads.Reader.TryPeek(out _) && transitions.TryPeek(out _))
            {
                await Task.Delay(Stopwatch.GetElapsedTime(0, settle), cancellationToken).ConfigureAwait(false);
            }

            var changed = new HashSet<DestinationRuntime>();
            while (transitions.TryRead(out var t))
            {
                if (_byHandle.TryGetValue(t.Handle, out var users))
                {
                    changed.UnionWith(users);
                }
            }
            Rejudge(changed);

            string? why = null;
            while (_reloads.Reader.TryRead(out var w))
            {
                why = w;
            }
            if (why is not null)
            {
                await ReloadAsync(why, cancellationToken).ConfigureAwait(false);
            }
            try
            {
                await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Ipvs.Netlink.NetlinkException or InvalidDesiredStateException)
            {
                Counters.ReconcileErrors++;
                _log.LogError("Reconciliation failed: {Error}", e.Message);
            }
        }
    }

    /// <summary>On stop: omega's hooks, and the managed services deleted only with <see cref="SupervisorOptions.FlushOnStop"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var s in _services.Values)
        {
            if (!s.Config.Policy.Omega)
            {
                continue;
            }
            foreach (var d in s.Destinations.Values.Where(d => d.Up))
            {
                _hooks.Fire(d.Config.NotifyDown, new HookContext(HookEvent.Down, s.Config.Key, d.Config.Key));
            }
            if (s.QuorumUp)
            {
                _hooks.Fire(s.Config.Policy.QuorumDown, new HookContext(HookEvent.QuorumDown, s.Config.Key, null));
            }
        }
        if (_options.FlushOnStop)
        {
            foreach (var key in _managed)
            {
                try
                {
                    await _client.DeleteServiceAsync(key, cancellationToken).ConfigureAwait(false);
                }
                catch (IpvsException e) when (e.Errno == 3)
                {
                }
            }
            _log.LogInformation("Deleted the {Count} managed service(s) (--flush-on-stop)", _managed.Count);
        }
        else
        {
            _log.LogInformation("Stopping; the kernel's table stays as it is and traffic goes on");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _hooks.DisposeAsync().ConfigureAwait(false);
        await _checks.DisposeAsync().ConfigureAwait(false);
    }

    private TimeSpan NextInterval()
    {
        var now = _time.GetUtcNow();
        bool active = _drains.Count > 0 || _services.Values.Any(s => s.Destinations.Values.Any(d => d.Up && PoolPolicy.IsRamping(d.Config.SlowStart, d.UpSince, now)));
        return active ? _options.ActiveInterval : _options.ReconcileInterval;
    }

    private async Task ReloadAsync(string why, CancellationToken cancellationToken)
    {
        _log.LogInformation("Reloading {Source} ({Why})", _source.Description, why);
        ConfigLoadResult load;
        try
        {
            load = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            load = new ConfigLoadResult(null, [$"{_source.Description}: {e.Message}"], [], []);
        }
        if (!load.IsValid)
        {
            Counters.ReloadFailures++;
            foreach (var error in load.Errors)
            {
                _log.LogError("{Error}", error);
            }
            _log.LogError("Reload rejected: {Count} error(s); the running configuration stays in force", load.Errors.Length);
            Status = Status with { LastReloadError = string.Join('\n', load.Errors) };
            return;
        }
        foreach (var w in load.Warnings)
        {
            _log.LogWarning("{Warning}", w);
        }
        var before = _services.SelectMany(s => s.Value.Destinations.Values.Select(d => ((s.Key, d.Config.Key), d.Up))).ToDictionary(x => x.Item1, x => x.Up);
        Install(load.State!, before);
        ReturnStartupMemory();
        Counters.Reloads++;
        Status = Status with { LastReloadError = null };
        _log.LogInformation("Reloaded: {Services} service(s), {Destinations} destination(s), {Checks} check(s)",
            _config.Services.Length, _config.Services.Sum(s => s.Destinations.Length), _byHandle.Count);
    }

    // Replaces the configuration. New checks are registered before the old ones are released, so a
    // check whose target and settings did not change is the same running check, with its state.
    private void Install(DesiredState config, IReadOnlyDictionary<(ServiceKey, DestinationKey), bool> knownHealth)
    {
        var oldServices = new Dictionary<ServiceKey, ServiceRuntime>(_services);
        var oldHandles = _byHandle.Keys.ToList();
        _services.Clear();
        _byHandle.Clear();
        foreach (var service in config.Services)
        {
            oldServices.TryGetValue(service.Key, out var previous);
            var runtime = new ServiceRuntime(service) { QuorumUp = previous?.QuorumUp ?? !service.Policy.Alpha };
            foreach (var d in service.Destinations)
            {
                DestinationRuntime? was = null;
                previous?.Destinations.TryGetValue(d.Key, out was);
                bool up = was?.Up ?? (knownHealth.TryGetValue((service.Key, d.Key), out bool known) ? known : !service.Policy.Alpha);
                var dr = new DestinationRuntime(service.Key, d) { Up = up, UpSince = was?.UpSince };
                foreach (var check in d.Checks)
                {
                    var handle = _checks.Register(Resolve(check, service), CheckTarget.For(service.Key, d.Destination, check), up ? CheckState.Up : CheckState.Down);
                    dr.Handles.Add(handle);
                    if (!_byHandle.TryGetValue(handle, out var users))
                    {
                        _byHandle[handle] = users = [];
                    }
                    users.Add(dr);
                }
                runtime.Destinations[d.Key] = dr;
            }
            _services[service.Key] = runtime;
        }
        foreach (var h in oldHandles)
        {
            _checks.Unregister(h);
        }
        _config = config;
        _handlesSnapshot = [.. _byHandle.Keys];
        // Judge everything once: a shared check may already know better than the remembered state.
        Rejudge(_services.Values.SelectMany(s => s.Destinations.Values).ToHashSet());
    }

    // A check inherits its service's delay_loop and virtualhost when it sets none itself.
    private static HealthCheck Resolve(HealthCheck check, DesiredService service)
    {
        var c = check with { Location = null };
        if (c.Interval is null && service.Policy.DelayLoop is { } delay)
        {
            c = c with { Interval = delay };
        }
        if (c is HttpCheck http && http.VirtualHost is null && service.Policy.VirtualHost is { } vhost)
        {
            c = http with { VirtualHost = vhost };
        }
        return c;
    }

    // Recomputes the health of destinations whose checks changed, firing up/down hooks.
    private void Rejudge(HashSet<DestinationRuntime> changed)
    {
        var now = _time.GetUtcNow();
        foreach (var d in changed)
        {
            bool up = true;
            bool weighted = false;
            string? error = null;
            foreach (var h in d.Handles)
            {
                var s = _checks.GetStatus(h);
                if (s.State != CheckState.Up)
                {
                    up = false;
                    error ??= s.Last?.Error;
                }
                weighted |= s.Weight is not null;
            }
            // keepalived's arithmetic: a dynamic program check sets the weight, a file check adjusts it.
            // (The list is built only then: this runs for every destination whose check reported.)
            d.Weight = weighted ? DynamicWeight.Effective(d.Config.Destination.Weight, [.. d.Handles.Select(h => (h.Check, _checks.GetStatus(h).Weight))]) : null;
            d.LastError = up ? null : error;
            if (up == d.Up)
            {
                continue;
            }
            d.Up = up;
            if (up)
            {
                d.UpSince = now;
                Counters.DestinationsUp++;
                _log.LogInformation("{Destination} of {Service} is up", d.Config.Key, d.Service);
                _hooks.Fire(d.Config.NotifyUp, new HookContext(HookEvent.Up, d.Service, d.Config.Key));
            }
            else
            {
                d.UpSince = null;
                Counters.DestinationsDown++;
                _log.LogWarning("{Destination} of {Service} is down: {Error}", d.Config.Key, d.Service, error ?? "check failed");
                _hooks.Fire(d.Config.NotifyDown, new HookContext(HookEvent.Down, d.Service, d.Config.Key));
            }
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var now = _time.GetUtcNow();
        var managed = new List<ManagedService>(_services.Count);
        foreach (var s in _services.Values)
        {
            var decision = PoolPolicy.Decide(s.Config, key => s.Destinations.TryGetValue(key, out var d) ? d.Health : DestinationHealth.Healthy, s.QuorumUp, now);
            if (decision.QuorumChanged(s.QuorumUp))
            {
                s.QuorumUp = decision.QuorumUp;
                var policy = s.Config.Policy;
                if (decision.QuorumUp)
                {
                    _log.LogInformation("{Service} gained its quorum ({Weight} >= {Quorum}+{Hysteresis})", s.Config.Key, decision.LiveWeight, policy.Quorum, policy.Hysteresis);
                    _hooks.Fire(policy.QuorumUp, new HookContext(HookEvent.QuorumUp, s.Config.Key, null));
                }
                else
                {
                    _log.LogWarning("{Service} lost its quorum ({Weight} < {Quorum}-{Hysteresis}){Sorry}", s.Config.Key, decision.LiveWeight, policy.Quorum, policy.Hysteresis,
                        policy.SorryServer is { } sorry ? $"; the sorry server {sorry.Key} serves" : "");
                    _hooks.Fire(policy.QuorumDown, new HookContext(HookEvent.QuorumDown, s.Config.Key, null));
                }
            }
            managed.Add(new ManagedService(s.Config, decision));
        }

        var table = await _client.GetTableAsync(cancellationToken).ConfigureAwait(false);
        Timeouts? currentTimeouts = _config.Timeouts is null ? null : await _client.GetTimeoutsAsync(cancellationToken).ConfigureAwait(false);
        var retired = _managed.Where(k => !_services.ContainsKey(k)).ToHashSet();
        var shape = TableShaper.Shape(table, managed, retired, _drains, _options.Drain, now, _config.Timeouts);

        // Write-ahead: the drains are on disk before their weight-0 changes reach the kernel, so a
        // crash in between (kill -9) leaves a restart that finds them and carries them on. A drain
        // whose change then fails is simply enforced again by the next reconciliation.
        _drains = [.. shape.Drains];
        var stillThere = table.Select(e => e.Key).ToHashSet();
        var keptRetired = shape.Desired.Services.Select(s => s.Key).Where(k => retired.Contains(k) && stillThere.Contains(k));
        _managed = [.. _services.Keys, .. keptRetired];
        Persist();

        foreach (var d in shape.Started)
        {
            _log.LogInformation("Draining {Destination} of {Service} ({Reason}); deleted at 0 connections or at {Deadline:O}", d.Destination, d.Service, d.Reason.ToString().ToLowerInvariant(), d.Deadline);
        }
        foreach (var e in shape.Ended)
        {
            _log.LogInformation("Drain of {Destination} of {Service} ended: {Outcome}{Left}", e.Entry.Destination, e.Entry.Service, e.Outcome.ToString().ToLowerInvariant(),
                e.Outcome == DrainOutcome.TimedOut ? $" with {e.ConnectionsLeft} connection(s) left" : "");
        }

        var plan = Planner.Plan(shape.Scope, currentTimeouts, shape.Desired, new PlanOptions { Prune = true });
        if (!plan.IsEmpty)
        {
            var report = await Applier.ApplyAsync(_client, plan, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var r in report.Results)
            {
                if (r.Outcome == ChangeOutcome.Applied)
                {
                    _log.LogInformation("Applied: {Change}", PlanText.Line(r.Change, withService: true));
                }
                else
                {
                    _log.LogError("Not applied ({Outcome}): {Change}: {Message}", r.Outcome, PlanText.Line(r.Change, withService: true), r.Message);
                }
            }
            Counters.ChangesApplied += report.Applied;
            if (!report.Succeeded)
            {
                Counters.ReconcileErrors++;
            }
            // The status shows the kernel as it is now, not as it was before the changes.
            table = await RereadAsync(table, plan, cancellationToken).ConfigureAwait(false);
        }

        _lastTable = table;
        Counters.Reconciles++;
        Counters.LastReconcile = clock.Elapsed;
        Counters.ReconcileSeconds.Observe(clock.Elapsed.TotalSeconds);
        Status = DaemonStatus.Build(_source.Description, _services.Values, shape, table, _drains, _checks, now) with { LastReloadError = Status.LastReloadError };
        _settleUntil = Stopwatch.GetTimestamp() + Math.Min(clock.ElapsedTicks * SettleFactor, (long)(MaxSettle.TotalSeconds * Stopwatch.Frequency));
    }

    // After applying: when only destinations changed (a failover, a drain), reads again just the
    // services they belong to (two requests each) instead of the whole table (one per service).
    private async Task<IReadOnlyList<ServiceEntry>> RereadAsync(IReadOnlyList<ServiceEntry> before, Plan plan, CancellationToken cancellationToken)
    {
        var touched = new HashSet<ServiceKey>();
        foreach (var change in plan.Changes)
        {
            if (change is not DestinationChange d)
            {
                return await _client.GetTableAsync(cancellationToken).ConfigureAwait(false);
            }
            touched.Add(d.Service);
        }
        if (touched.Count * 2 > before.Count)
        {
            return await _client.GetTableAsync(cancellationToken).ConfigureAwait(false);
        }
        var fresh = new Dictionary<ServiceKey, ServiceEntry>(touched.Count);
        try
        {
            foreach (var key in touched)
            {
                var info = await _client.GetServiceAsync(key, cancellationToken).ConfigureAwait(false);
                var destinations = await _client.GetDestinationsAsync(key, cancellationToken).ConfigureAwait(false);
                fresh[key] = new ServiceEntry(info, destinations);
            }
        }
        catch (IpvsException)
        {
            // Gone meanwhile (someone else's change): the whole table tells what is there.
            return await _client.GetTableAsync(cancellationToken).ConfigureAwait(false);
        }
        var table = new List<ServiceEntry>(before.Count);
        foreach (var e in before)
        {
            table.Add(fresh.TryGetValue(e.Key, out var f) ? f : e);
        }
        return table;
    }

    private void Persist()
    {
        if (_options.StateFile is not { } path)
        {
            return;
        }
        var state = new DaemonState(
            [.. _managed.OrderBy(k => k.ToString(), StringComparer.Ordinal)],
            [.. _drains.OrderBy(d => d.Service.ToString(), StringComparer.Ordinal).ThenBy(d => d.Destination.ToString(), StringComparer.Ordinal)],
            [.. _services.Values.SelectMany(s => s.Destinations.Values).Where(d => !d.Up).Select(d => new RememberedHealth(d.Service, d.Config.Key, false))
                .OrderBy(h => h.Service.ToString(), StringComparer.Ordinal).ThenBy(h => h.Destination.ToString(), StringComparer.Ordinal)]);
        if (state.SameAs(_saved))
        {
            return;
        }
        try
        {
            state.Save(path);
            _saved = state;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError("Cannot write the state file {Path}: {Error}; drains would not survive a restart", path, e.Message);
        }
    }
}

/// <summary>A configured service at run time.</summary>
internal sealed class ServiceRuntime(DesiredService config)
{
    public DesiredService Config { get; } = config;

    public Dictionary<DestinationKey, DestinationRuntime> Destinations { get; } = [];

    public bool QuorumUp { get; set; }
}

/// <summary>A configured destination at run time: its checks and their verdict.</summary>
internal sealed class DestinationRuntime(ServiceKey service, DesiredDestination config)
{
    public ServiceKey Service { get; } = service;

    public DesiredDestination Config { get; } = config;

    public List<CheckHandle> Handles { get; } = [];

    public bool Up { get; set; }

    public int? Weight { get; set; }

    public DateTimeOffset? UpSince { get; set; }

    public string? LastError { get; set; }

    public DestinationHealth Health => new(Up, Weight, UpSince);
}

/// <summary>The configuration has errors; nothing was applied.</summary>
public sealed class InvalidConfigurationException(string source, ImmutableArray<string> errors)
    : Exception($"{source}: {errors.Length} error(s); nothing applied:\n{string.Join('\n', errors)}")
{
    /// <summary>The located errors.</summary>
    public ImmutableArray<string> Errors { get; } = errors;
}
