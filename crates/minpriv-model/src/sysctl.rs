//! Kubernetes' safe sysctls.

/// Sysctls the Kubernetes kubelet allows by default and the Pod Security Standards baseline level
/// accepts (namespaced, and isolated from other pods on the node), in the order Kubernetes
/// versions added them (Pod Security's tables by version count prefixes of this list).
pub const KUBERNETES_SAFE_SYSCTLS: &[&str] = &[
    // v1.0
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    // v1.27
    "net.ipv4.ip_local_reserved_ports",
    // v1.29
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    // v1.32
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    // v1.37
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

/// True when `name` is in the safe set. Both separators are accepted (`net/ipv4/...` is how the
/// kernel's path spells the same sysctl).
pub fn is_safe_sysctl(name: &str) -> bool {
    let normalized = name.trim().replace('/', ".");
    KUBERNETES_SAFE_SYSCTLS.contains(&normalized.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_and_unsafe() {
        assert!(is_safe_sysctl("net.ipv4.ip_unprivileged_port_start"));
        assert!(is_safe_sysctl("net/ipv4/tcp_syncookies"));
        assert!(!is_safe_sysctl("kernel.msgmax"));
        assert!(!is_safe_sysctl("net.core.somaxconn"));
    }
}
