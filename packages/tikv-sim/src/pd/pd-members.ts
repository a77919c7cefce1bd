import { Accumulator } from "../metrics/accumulator.ts";
import { EtcdHistogram, PEER_RTT_BUCKETS, WAL_FSYNC_BUCKETS } from "./etcd-histogram.ts";
import type { GoJsonValue } from "./go-format.ts";

/** Normal WAL fsync p99 and peer round trip of a simulated PD member, seconds. */
const NORMAL_FSYNC_P99 = 0.004;
const NORMAL_PEER_RTT_P99 = 0.0015;
/** PD saves its TSO window every `tso-save-interval` (3 s) while it leads. */
const SAVES_PER_SECOND = 1 / 3;
/** Normal process figures of a simulated PD member, far below its quotas. */
const NORMAL_CPU_CORES = 0.3;
const MAX_PROCS = 8;
const NORMAL_RESIDENT_BYTES = 512 * 1024 ** 2;
const MEMORY_QUOTA_BYTES = 16 * 1024 ** 3;
const NORMAL_DB_BYTES = 48 * 1024 ** 2;
/** PD's default `quota-backend-bytes` (8 GiB). */
const BACKEND_QUOTA_BYTES = 8 * 1024 ** 3;

/** One simulated PD member: its identity, health, leadership and embedded etcd's latencies. */
export interface PdMemberModel {
  readonly name: string;
  readonly memberId: bigint;
  /** Fictional client URL PD reports (`http://pd-2.sim:2379`); its host:port is Prometheus's `instance`. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  healthy: boolean;
  fsyncP99: number | null;
  peerRttP99: number | null;
  /** Times this member found its clock behind allocated timestamps (`pd_tso_events{type="system_time_slow"}`). */
  clockSlowEvents: number;
  /** CPU the process burns, cores (null: normal). */
  cpuCores: number | null;
  /** Resident memory, bytes (null: normal). */
  residentBytes: number | null;
  /** The embedded etcd's backend size, bytes (null: normal). */
  dbBytes: number | null;
}

/**
 * PD's members as the simulator models them: the first one serves the PD API (the `PdServer`), the
 * others exist in `/members`, `/health` and their own `/metrics`. Faults make a member unhealthy,
 * move the leadership, slow a member's disk or network, or step its clock back.
 */
export class PdMembersModel {
  readonly members: readonly PdMemberModel[];
  #leader: string | null;
  readonly #wal = new Map<string, EtcdHistogram>();
  readonly #rtt = new Map<string, Map<string, EtcdHistogram>>();
  readonly #saves = new Map<string, Accumulator>();
  readonly #cpu = new Map<string, Accumulator>();
  /** Slow scores set by a fault, by store id (PD's `slow_score`). */
  readonly slowScores = new Map<number, number>();

  constructor(count: number, firstMemberId: bigint, nowMs: number) {
    this.members = Array.from({ length: count }, (_, i) => ({
      name: `pd-${i + 1}`,
      memberId: i === 0 ? firstMemberId : firstMemberId - BigInt(i) * 7_919_000_003n,
      clientUrl: `http://pd-${i + 1}.sim:2379`,
      peerUrl: `http://pd-${i + 1}.sim:2380`,
      healthy: true,
      fsyncP99: null,
      peerRttP99: null,
      clockSlowEvents: 0,
      cpuCores: null,
      residentBytes: null,
      dbBytes: null,
    }));
    this.#leader = "pd-1";
    for (const member of this.members) {
      this.#wal.set(member.name, new EtcdHistogram(WAL_FSYNC_BUCKETS, nowMs, 20, NORMAL_FSYNC_P99));
      const peers = new Map<string, EtcdHistogram>();
      for (const peer of this.members) {
        if (peer !== member)
          peers.set(peer.name, new EtcdHistogram(PEER_RTT_BUCKETS, nowMs, 1, NORMAL_PEER_RTT_P99));
      }
      this.#rtt.set(member.name, peers);
      this.#saves.set(
        member.name,
        new Accumulator(nowMs, member.name === this.#leader ? SAVES_PER_SECOND : 0),
      );
      this.#cpu.set(member.name, new Accumulator(nowMs, NORMAL_CPU_CORES, 3_600 * NORMAL_CPU_CORES));
    }
  }

  /** The leader's name, or null while none leads. */
  get leader(): string | null {
    return this.#leader;
  }

  /** The member named `name`, or undefined. */
  find(name: string): PdMemberModel | undefined {
    return this.members.find((member) => member.name === name);
  }

  /** Moves the leadership to `name` (null: no leader); the old leader stops saving TSO. */
  setLeader(name: string | null, nowMs: number): void {
    if (name === this.#leader) return;
    for (const [member, saves] of this.#saves) saves.setRate(nowMs, member === name ? SAVES_PER_SECOND : 0);
    this.#leader = name;
  }

  /** Marks a member (un)healthy; an unhealthy leader hands over to the next healthy member. */
  setHealthy(member: PdMemberModel, healthy: boolean, nowMs: number): void {
    member.healthy = healthy;
    if (!healthy && this.#leader === member.name) {
      this.setLeader(this.members.find((m) => m.healthy)?.name ?? null, nowMs);
    }
  }

  /** Sets a member's WAL fsync p99 (null: normal). */
  setFsync(member: PdMemberModel, p99: number | null, nowMs: number): void {
    member.fsyncP99 = p99;
    this.#wal.get(member.name)?.setP99(nowMs, p99 ?? NORMAL_FSYNC_P99);
  }

  /** Sets the round trip from a member to each of its peers (null: normal). */
  setPeerRtt(member: PdMemberModel, p99: number | null, nowMs: number): void {
    member.peerRttP99 = p99;
    for (const histogram of this.#rtt.get(member.name)?.values() ?? []) {
      histogram.setP99(nowMs, p99 ?? NORMAL_PEER_RTT_P99);
    }
  }

  /** Sets the CPU a member's process burns, cores (null: normal). */
  setCpu(member: PdMemberModel, cores: number | null, nowMs: number): void {
    member.cpuCores = cores;
    this.#cpu.get(member.name)?.setRate(nowMs, cores ?? NORMAL_CPU_CORES);
  }

  /** Every member healthy with normal latencies and usage, pd-1 leading, no slow-score override. */
  clear(nowMs: number): void {
    for (const member of this.members) {
      member.healthy = true;
      if (member.cpuCores !== null) this.setCpu(member, null, nowMs);
      member.residentBytes = null;
      member.dbBytes = null;
      if (member.fsyncP99 !== null) this.setFsync(member, null, nowMs);
      if (member.peerRttP99 !== null) this.setPeerRtt(member, null, nowMs);
    }
    this.setLeader("pd-1", nowMs);
    this.slowScores.clear();
  }

  /** One `pdpb.Member` as `/members` and `/leader` write it. */
  memberJson(member: PdMemberModel, version: string, gitHash: string): GoJsonValue {
    return {
      name: member.name,
      member_id: member.memberId,
      peer_urls: [member.peerUrl],
      client_urls: [member.clientUrl],
      deploy_path: "/tidb-deploy/pd-2379/bin",
      binary_version: version,
      git_hash: gitHash,
    };
  }

  /**
   * The embedded etcd and TSO part of a member's `/metrics`: WAL fsync and peer round-trip
   * histograms (`To` = peer id in hex), `pd_tso_events` (`save` grows while it leads,
   * `system_time_slow` counts clock faults), `etcd_server_is_leader`, the process's CPU and memory
   * with PD's quotas (`pd_service_maxprocs`, `pd_service_memory_quota_bytes`), and the etcd
   * backend's size with its quota.
   */
  metricsText(member: PdMemberModel, nowMs: number): string {
    const out: string[] = [
      "# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync called by WAL.\n",
      "# TYPE etcd_disk_wal_fsync_duration_seconds histogram\n",
    ];
    this.#wal.get(member.name)?.render("etcd_disk_wal_fsync_duration_seconds", "", nowMs, out);
    out.push(
      "# HELP etcd_network_peer_round_trip_time_seconds Round-Trip-Time histogram between peers\n",
      "# TYPE etcd_network_peer_round_trip_time_seconds histogram\n",
    );
    for (const [peerName, histogram] of this.#rtt.get(member.name) ?? []) {
      const peer = this.find(peerName) as PdMemberModel;
      histogram.render(
        "etcd_network_peer_round_trip_time_seconds",
        `To="${peer.memberId.toString(16)}"`,
        nowMs,
        out,
      );
    }
    const saves = Math.floor(this.#saves.get(member.name)?.valueAt(nowMs) ?? 0);
    out.push(
      "# HELP pd_tso_events Counter of tso events\n# TYPE pd_tso_events counter\n",
      `pd_tso_events{dc="global",type="save"} ${saves}\n`,
      `pd_tso_events{dc="global",type="system_time_slow"} ${member.clockSlowEvents}\n`,
      "# HELP etcd_server_is_leader Whether or not this member is a leader. 1 if is, 0 otherwise.\n",
      `# TYPE etcd_server_is_leader gauge\netcd_server_is_leader ${this.#leader === member.name ? 1 : 0}\n`,
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n",
      `# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ${(this.#cpu.get(member.name)?.valueAt(nowMs) ?? 0).toFixed(2)}\n`,
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n",
      `# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${member.residentBytes ?? NORMAL_RESIDENT_BYTES}\n`,
      "# HELP pd_service_maxprocs The value of GOMAXPROCS.\n",
      `# TYPE pd_service_maxprocs gauge\npd_service_maxprocs ${MAX_PROCS}\n`,
      "# HELP pd_service_memory_quota_bytes The value of memory quota bytes.\n",
      `# TYPE pd_service_memory_quota_bytes gauge\npd_service_memory_quota_bytes ${MEMORY_QUOTA_BYTES}\n`,
      "# HELP etcd_mvcc_db_total_size_in_bytes Total size of the underlying database physically allocated in bytes.\n",
      `# TYPE etcd_mvcc_db_total_size_in_bytes gauge\netcd_mvcc_db_total_size_in_bytes ${member.dbBytes ?? NORMAL_DB_BYTES}\n`,
      "# HELP etcd_server_quota_backend_bytes Current backend storage quota size in bytes.\n",
      `# TYPE etcd_server_quota_backend_bytes gauge\netcd_server_quota_backend_bytes ${BACKEND_QUOTA_BYTES}\n`,
    );
    return out.join("");
  }
}
