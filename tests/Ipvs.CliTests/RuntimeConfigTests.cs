using System.Text.Json;

namespace Ipvs.CliTests;

/// <summary>The runtime settings `ipvs` ships with (Ipvs.Cli.runtimeconfig.json, beside the test's copy of Ipvs.Cli.dll).</summary>
public sealed class RuntimeConfigTests
{
    private static JsonElement ConfigProperties()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Ipvs.Cli.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void Idle_thread_pool_workers_block_at_once_instead_of_spinning()
    {
        var properties = ConfigProperties();

        Assert.True(properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var limit), "the spin limit is not set");
        Assert.Equal(0, limit.GetInt32());
    }

    [Fact]
    public void The_service_container_resolves_by_reflection_without_compiling_code()
    {
        var properties = ConfigProperties();

        Assert.True(properties.TryGetProperty("Microsoft.Extensions.DependencyInjection.DisableDynamicEngine", out var disabled), "the switch is not set");
        Assert.True(disabled.GetBoolean());
    }

    [Fact]
    public void The_gen0_budget_is_capped_so_a_daemon_that_allocates_per_check_keeps_its_memory_small()
    {
        var properties = ConfigProperties();

        Assert.True(properties.TryGetProperty("System.GC.Gen0MaxBudget", out var budget), "the gen0 budget is not capped");
        Assert.Equal(4 << 20, budget.GetInt32());
    }
}
