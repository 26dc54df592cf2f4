/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpsw_proto: the parts of the control protocol that are ours, not the
 * kernel datapath's (documented in docs/PROTOCOL.md):
 *
 *  - the "dpdk_switch" generic-netlink family, resolvable through the genl
 *    controller like the OVS families, for what ovs-appctl does in Open
 *    vSwitch: PMD statistics and rx queue placement, the revalidator's
 *    settings and state;
 *  - DPSW_CMD_CONN_GET/SET: facts about the requesting connection that a
 *    kernel netlink socket has by itself: its netlink port id (the
 *    kernel's autobind, so a client can name it in UPCALL_PID, as it names
 *    getsockname()'s nl_pid) and how replies are framed into datagrams;
 *  - OVS_VPORT_ATTR_OPTIONS content for netdev vports: the DPDK devargs
 *    of a port to hot-plug (a vport name is limited to IFNAMSIZ, devargs
 *    are not) and its MTU, queues and descriptors; in replies, what the
 *    port got.
 *
 * Every message of the family carries a struct ovs_header after the genl
 * header, like the OVS families.
 */
#ifndef DPSW_PROTO_H
#define DPSW_PROTO_H

#define DPSW_FAMILY "dpdk_switch"
#define DPSW_VERSION 1

enum dpsw_cmd {
	DPSW_CMD_UNSPEC,
	DPSW_CMD_PMD_GET,       /* dump: one reply per PMD */
	DPSW_CMD_PMD_CLEAR,     /* admin: pmd-stats-clear */
	DPSW_CMD_CONFIG_GET,    /* revalidator and datapath settings and state */
	DPSW_CMD_CONFIG_SET,    /* admin: FLOW_LIMIT and/or MAX_IDLE */
	DPSW_CMD_CONN_GET,      /* this connection: PORT_ID, FRAMING */
	DPSW_CMD_CONN_SET,      /* this connection: PORT_ID, FRAMING, UPCALL_BATCH */
	DPSW_CMD_RXQ_REBALANCE, /* admin: rx queues to PMDs by measured cycles */
	__DPSW_CMD_MAX
};

enum dpsw_attr {
	DPSW_ATTR_UNSPEC,
	/* DPSW_CMD_PMD_GET replies */
	DPSW_ATTR_PMD_ID,           /* u32 */
	DPSW_ATTR_PMD_LCORE,        /* u32 */
	DPSW_ATTR_PMD_NUMA,         /* u32 */
	DPSW_ATTR_PMD_STATS,        /* nested DPSW_STAT_* (u64 each) */
	DPSW_ATTR_PMD_RXQS,         /* nested: DPSW_ATTR_RXQ entries */
	DPSW_ATTR_RXQ,              /* nested DPSW_RXQ_* */
	/* DPSW_CMD_CONFIG_* */
	DPSW_ATTR_FLOW_LIMIT,       /* u32: the ceiling (--flow-limit) */
	DPSW_ATTR_MAX_IDLE,         /* u32: ms (--max-idle); 0: flows never expire */
	DPSW_ATTR_FLOW_LIMIT_NOW,   /* u32: the dynamic limit */
	DPSW_ATTR_N_FLOWS,          /* u32 */
	DPSW_ATTR_REVAL_ROUNDS,     /* u64 */
	DPSW_ATTR_REVAL_DURATION,   /* u64: last round, ms */
	DPSW_ATTR_REVAL_DELETED,    /* u64: idle flows deleted */
	DPSW_ATTR_REVAL_FLUSHED,    /* u64: flows deleted at 2x the limit */
	DPSW_ATTR_FLOWS_REFUSED,    /* u64: NEW refused at the limit */
	DPSW_ATTR_MBUFS_IN_USE,     /* u32 */
	DPSW_ATTR_MBUFS_TOTAL,      /* u32 */
	DPSW_ATTR_N_PMDS,           /* u32 */
	DPSW_ATTR_UPCALLS_SENT,     /* u64 */
	/* DPSW_CMD_CONN_* (the requesting connection; any dp_ifindex) */
	DPSW_ATTR_CONN_PORT_ID,     /* u32: its netlink port id, never 0 */
	DPSW_ATTR_CONN_FRAMING,     /* u32: enum dpsw_framing */
	DPSW_ATTR_CONN_UPCALL_BATCH, /* u32: 0 (default): one upcall a datagram,
				      * as the kernel; 1: many a datagram */
	/* DPSW_CMD_CONFIG_GET */
	DPSW_ATTR_UPCALL_RATE,      /* u32: MISS upcalls/s per port; 0: no limit */
	DPSW_ATTR_UPCALL_RATE_DROPS, /* nested: u64 per port, of type port_no + 1
				      * (ports that dropped any) */
	DPSW_ATTR_PMD_SLEEP_MAX,    /* u32: us; 0: PMDs never sleep */
	__DPSW_ATTR_MAX
};
#define DPSW_ATTR_MAX (__DPSW_ATTR_MAX - 1)

/* DPSW_ATTR_PMD_STATS members, in the order of struct pmd_stats. */
enum dpsw_stat {
	DPSW_STAT_UNSPEC,
	DPSW_STAT_RX_PACKETS,
	DPSW_STAT_HIT,
	DPSW_STAT_CACHE_HIT,
	DPSW_STAT_MASK_HIT,
	DPSW_STAT_MISSED,
	DPSW_STAT_UPCALLS,
	DPSW_STAT_LOST,
	DPSW_STAT_RECIRC,
	DPSW_STAT_RUNTS,
	DPSW_STAT_ITERATIONS,
	DPSW_STAT_BUSY_CYCLES,
	DPSW_STAT_IDLE_CYCLES,
	DPSW_STAT_DROPPED,          /* action drops, all reasons */
	__DPSW_STAT_MAX
};
#define DPSW_STAT_MAX (__DPSW_STAT_MAX - 1)

enum dpsw_rxq {
	DPSW_RXQ_UNSPEC,
	DPSW_RXQ_PORT_NO,           /* u32 */
	DPSW_RXQ_QUEUE,             /* u32 */
	DPSW_RXQ_NAME,              /* string: the port's name */
	DPSW_RXQ_CYCLES,            /* u64: TSC cycles spent on it since it was
				     * placed (or the last rebalance) */
	__DPSW_RXQ_MAX
};

/* How the replies to one request datagram travel (DPSW_ATTR_CONN_FRAMING). */
enum dpsw_framing {
	/* Together, in order, in one datagram (more past 128 KiB): the default,
	 * fewest system calls for batches. */
	DPSW_FRAMING_BATCH,
	/* As the kernel's sk_buffs: every reply message (ack, error, GET or
	 * ECHO answer) in a datagram of its own; a dump's parts still hold
	 * many NLM_F_MULTI messages each. For clients that read one message
	 * per datagram, as Open vSwitch's netlink code does. */
	DPSW_FRAMING_KERNEL,
};

/* DPSW_VPORT_OPTION_OFFLOADS: rx checksum validation; tx checksums and
 * TCP segmentation done by the port (for a vhost-user port: what its
 * guest accepts, known once it is connected). */
enum dpsw_offload {
	DPSW_OFFLOAD_RX_CSUM = 1 << 0,
	DPSW_OFFLOAD_TX_CSUM = 1 << 1,
	DPSW_OFFLOAD_TSO = 1 << 2,
};

/* Inside OVS_VPORT_ATTR_OPTIONS of a netdev vport: in NEW, what to
 * hot-plug and how (each optional; ranges as struct port_opts); in replies,
 * what the port got (DEVARGS excepted). */
enum dpsw_vport_option {
	DPSW_VPORT_OPTION_UNSPEC,
	DPSW_VPORT_OPTION_DEVARGS,  /* string: DPDK devargs to hot-plug */
	DPSW_VPORT_OPTION_MTU,      /* u32: bytes (reply: the device's; 0 unknown) */
	DPSW_VPORT_OPTION_RXQ,      /* u32: rx queues */
	DPSW_VPORT_OPTION_TXQ,      /* u32: tx queues */
	DPSW_VPORT_OPTION_RXD,      /* u32: descriptors per rx queue */
	DPSW_VPORT_OPTION_TXD,      /* u32: descriptors per tx queue */
	DPSW_VPORT_OPTION_DRIVER,   /* string, replies only: the DPDK driver */
	DPSW_VPORT_OPTION_MTU_SET,  /* u32, replies only: 1 when the driver set
				     * the MTU, 0 when it has no MTU operation
				     * and its largest frame fits */
	DPSW_VPORT_OPTION_SCATTER,  /* u32, replies only: 1 when frames span
				     * several mbufs (scatter rx, chained tx) */
	DPSW_VPORT_OPTION_OFFLOAD,  /* u32 0 or 1: checksum/TSO offloads off or
				     * on (where the device has them) */
	DPSW_VPORT_OPTION_OFFLOADS, /* u32, replies only: DPSW_OFFLOAD_* bits,
				     * what the port does now */
	__DPSW_VPORT_OPTION_MAX
};

#endif /* DPSW_PROTO_H */
