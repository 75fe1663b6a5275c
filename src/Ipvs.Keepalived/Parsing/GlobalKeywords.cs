using Ipvs.Keepalived.Syntax;

namespace Ipvs.Keepalived.Parsing;

/// <summary>
/// The global keywords of keepalived 2.2.7 (<c>init_global_keywords()</c>, global_parser.c), as
/// Debian's build installs them (checked with <c>keepalived -t</c>: every one is known except
/// <c>vrrp_ipsets</c>, which needs libipset). The ones an IPVS control plane needs have handlers;
/// the rest are accepted and kept as written.
/// </summary>
internal static class GlobalKeywords
{
    /// <summary>Keywords that keepalived also accepts at the top level, outside global_defs.</summary>
    public static readonly string[] Root =
    [
        "linkbeat_use_polling", "net_namespace", "net_namespace_ipvs", "namespace_with_ipsets", "use_pid_dir", "instance", "child_wait_time",
    ];

    public static readonly string[] All =
    [
        "process_names", "process_name", "vrrp_process_name", "checker_process_name", "lvs_process_name", "bfd_process_name",
        "router_id", "notification_email_from", "smtp_server", "smtp_helo_name", "smtp_connect_timeout", "notification_email",
        "smtp_alert", "startup_script", "startup_script_timeout", "shutdown_script", "shutdown_script_timeout", "max_auto_priority",
        "min_auto_priority_delay", "smtp_alert_vrrp", "smtp_alert_checker", "checker_log_all_failures", "dynamic_interfaces", "no_email_faults",
        "default_interface", "disable_local_igmp", "lvs_timeouts", "lvs_flush", "lvs_flush_on_stop", "lvs_flush_onstop",
        "lvs_sync_daemon", "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh",
        "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat", "vrrp_down_timer_adverts", "vrrp_garp_interval", "vrrp_gna_interval",
        "vrrp_min_garp", "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl", "vrrp_lower_prio_no_advert", "vrrp_higher_prio_send_advert", "vrrp_version",
        "vrrp_iptables", "nftables", "nftables_priority", "nftables_ifindex", "nftables_ipvs", "nftables_ipvs_priority",
        "nftables_ipvs_start_fwmark", "nftables_counters", "vrrp_check_unicast_src", "vrrp_skip_check_adv_addr", "vrrp_strict", "vrrp_priority",
        "vrrp_no_swap", "vrrp_rt_priority", "vrrp_cpu_affinity", "vrrp_rlimit_rttime", "vrrp_rlimit_rtime", "notify_fifo",
        "notify_fifo_script", "vrrp_notify_fifo", "vrrp_notify_fifo_script", "vrrp_notify_priority_changes", "fifo_write_vrrp_states_on_reload", "lvs_notify_fifo",
        "lvs_notify_fifo_script", "checker_priority", "checker_no_swap", "checker_rt_priority", "checker_cpu_affinity", "checker_rlimit_rttime",
        "checker_rlimit_rtime", "bfd_priority", "bfd_no_swap", "bfd_rt_priority", "bfd_cpu_affinity", "bfd_rlimit_rttime",
        "bfd_rlimit_rtime", "snmp_socket", "enable_traps", "enable_snmp_vrrp", "enable_snmp_keepalived", "enable_snmp_rfc",
        "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_checker", "enable_dbus", "dbus_service_name", "script_user",
        "enable_script_security", "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force", "process_monitor_rcv_bufs",
        "process_monitor_rcv_bufs_force", "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force", "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force", "rs_init_notifies",
        "no_checker_emails", "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier", "vrrp_startup_delay", "log_unknown_vrids", "vmac_prefix",
        "vmac_addr_prefix", "umask", "random_seed", "reload_check_config", "reload_time_file", "reload_repeat",
        "reload_file", "include_check", "config_save_dir", "tmp_config_directory", "data_use_instance",
    ];

    // Bare, these make keepalived stop with "missing a parameter" (checked with keepalived -t).
    private static readonly HashSet<string> NeedValue = new(StringComparer.Ordinal)
    {
        "process_name", "vrrp_process_name", "checker_process_name", "lvs_process_name", "bfd_process_name", "smtp_server",
        "smtp_connect_timeout", "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_garp_master_delay", "vrrp_garp_master_repeat",
        "vrrp_garp_master_refresh", "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat",
        "vrrp_down_timer_adverts", "vrrp_garp_interval", "vrrp_gna_interval", "vrrp_version", "nftables_priority", "nftables_ipvs_priority",
        "nftables_ipvs_start_fwmark", "vrrp_rlimit_rttime", "vrrp_rlimit_rtime", "checker_rlimit_rttime", "checker_rlimit_rtime",
        "bfd_rlimit_rttime", "bfd_rlimit_rtime", "vrrp_startup_delay", "vmac_prefix", "vmac_addr_prefix", "umask", "random_seed", "config_save_dir",
    };

    public static KeywordSpec Spec(string name)
    {
        Action<ParseSession, Line> handler = name switch
        {
            "router_id" => (s, l) => s.GlobalRouterId(l),
            "lvs_timeouts" => (s, l) => s.GlobalLvsTimeouts(l),
            "lvs_sync_daemon" => (s, l) => s.GlobalLvsSyncDaemon(l),
            "lvs_flush" => (s, l) => s.GlobalLvsFlush(l),
            "lvs_flush_on_stop" or "lvs_flush_onstop" => (s, l) => s.GlobalLvsFlushOnStop(l),
            "notification_email" => (s, l) => s.GlobalNotificationEmail(l),
            "notification_email_from" => (s, l) => s.GlobalEmailFrom(l),
            "smtp_server" => (s, l) => s.GlobalSmtpServer(l),
            "smtp_alert" or "smtp_alert_checker" => (s, l) => s.GlobalSmtpAlert(l),
            "script_user" => (s, l) => s.GlobalScriptUser(l),
            "enable_script_security" => (s, l) => s.GlobalScriptSecurity(l),
            "checker_log_all_failures" => (s, l) => s.GlobalCheckerLogAllFailures(l),
            _ => (s, l) => s.GlobalOther(l),
        };
        return new KeywordSpec(name) { MinArgs = NeedValue.Contains(name) ? 1 : 0, MaxArgs = -1, Handler = handler };
    }
}
