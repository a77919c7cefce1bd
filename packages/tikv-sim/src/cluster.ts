import type { FaultCommand } from "./control.ts";
import { Controller } from "./controller.ts";
import { SimulatorError } from "./errors.ts";
import { ClusterModel, type ClusterModelOptions } from "./model/cluster-model.ts";
import type { RegionFaultKind } from "./model/regions.ts";
import type { MetaState, StateName } from "./model/store.ts";
import { type PdFault, PdServer, type PdTls } from "./pd/pd-server.ts";
import { SimServer } from "./sim-server.ts";

/** Options of {@link startCluster}. */
export interface ClusterOptions extends ClusterModelOptions {
  /** Interface every listener binds to; only loopback is supported. @default "127.0.0.1" */
  readonly host?: "127.0.0.1";
  /**
   * Serve PD's API over https, requiring a client certificate signed by `ca` (see
   * `createTestCertificates`). Store metrics and the control API stay plain http, and PD's own
   * `/metrics` is then scraped from the control listener (`/pd/metrics`), so Prometheus needs no TLS.
   */
  readonly tls?: PdTls;
}

/** One simulated store as a client sees it. */
export interface SimStore {
  readonly id: number;
  readonly engine: "tikv" | "tiflash";
  /** Fictional gRPC address PD reports, e.g. `tikv-1.sim:20160`. */
  readonly address: string;
  /** Fictional status address PD reports; Prometheus's `instance` label for this store. */
  readonly statusAddress: string;
  /** Real URL serving this store's /metrics (`null` for TiFlash stores, which have no TiKV metrics). */
  readonly metricsUrl: string | null;
}

/** A Prometheus scrape target for one TiKV store. */
export interface ScrapeTarget {
  /** `host:port` Prometheus connects to. */
  readonly target: string;
  readonly metricsPath: string;
  /** The `instance` label to set: the store's fictional status address. */
  readonly instance: string;
}

/** A running simulated cluster: PD on one port, every store's /metrics and the control API on another. */
export interface SimCluster {
  readonly pdUrl: string;
  /** Base URL of the control API: `POST <controlUrl>/sim/faults`, `GET <controlUrl>/sim/state`. */
  readonly controlUrl: string;
  readonly stores: readonly SimStore[];
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** PD's own /metrics (`pd_cluster_status`, `pd_regions_status`), for Prometheus's `pd` job. */
  readonly pdScrapeTarget: ScrapeTarget;
  /**
   * Every PD member's /metrics (the first is {@link pdScrapeTarget}), `instance` = host:port of the
   * member's client URL (`pd-2.sim:2379`), as TiUP's `pd` job labels them.
   */
  readonly pdScrapeTargets: readonly ScrapeTarget[];
  readonly timeScale: number;
  /** Simulated time, unix ms (runs `timeScale` times faster than the wall clock). */
  now(): number;
  /** PD's `state_name` for a store right now. */
  stateName(id: number): StateName;
  /** Stops a store's process: heartbeats stop, scrapes fail. */
  stopStore(id: number): void;
  /** Restarts a stopped store (new start time, counters from zero). */
  startStore(id: number): void;
  /** Moves the store's gRPC p99 to `p99Seconds`; `null` restores it. */
  slowStore(id: number, p99Seconds: number | null): void;
  /** Sets used/capacity (metrics and PD agree). */
  fillDisk(id: number, usedRatio: number): void;
  writeStall(id: number, on: boolean): void;
  /** The store loses all its leaders to the other running stores. */
  leaderDrop(id: number): void;
  /** Every store gets its original leader count back. */
  balanceLeaders(): void;
  /** Raftstore threads burn `cores` CPU; `null` restores normal load. */
  raftstoreCpu(id: number, cores: number | null): void;
  /** `regions` regions with a peer on `storeId` are in condition `kind` (0 clears). */
  setRegionFault(kind: RegionFaultKind, storeId: number, regions: number): void;
  /** Alternately stopped and running, half a period each; `null` stops flapping (the store runs). */
  flapStore(id: number, periodMs: number | null): void;
  setPdFault(fault: PdFault | null): void;
  /** PD member `name` (e.g. `pd-2`) answers PD's health check or not; an unhealthy leader hands over. */
  setPdMemberHealth(name: string, healthy: boolean): void;
  /** PD's leadership moves to member `name`. */
  transferPdLeader(name: string): void;
  /** Member `name`'s embedded etcd WAL fsync p99; `null` restores it. */
  pdFsync(name: string, p99Seconds: number | null): void;
  /** Round trips from member `name` to its peers; `null` restores them. */
  pdPeerRtt(name: string, p99Seconds: number | null): void;
  /** Member `name` finds its clock behind allocated timestamps once. */
  pdClockBackward(name: string): void;
  /** Member `name`'s process burns `cores` CPU (GOMAXPROCS 8); `null` restores it. */
  pdCpu(name: string, cores: number | null): void;
  /** Member `name`'s resident memory in GiB (quota 16 GiB); `null` restores it. */
  pdMemory(name: string, residentGiB: number | null): void;
  /** Member `name`'s etcd backend size in MiB (quota 8192 MiB); `null` restores it. */
  pdDbSize(name: string, mib: number | null): void;
  /** PD reports `score` as the store's `slow_score`; `null` derives it from its latency again. */
  slowScore(id: number, score: number | null): void;
  setStoreState(id: number, state: MetaState): void;
  /** Applies a control command (what `POST /sim/faults` does); resolves once PD has switched. */
  apply(command: FaultCommand): Promise<void>;
  /** Undoes every fault: stores run, normal latency/CPU/disk, no region faults, PD healthy. */
  clearFaults(): Promise<void>;
  /** Scrapes served so far and the time spent rendering them. */
  scrapeStats(): { readonly scrapes: number; readonly renderMs: number; readonly bytes: number };
  close(): Promise<void>;
}

/**
 * Starts a simulated TiKV cluster: PD's HTTP API and every TiKV store's /metrics on 127.0.0.1, with
 * faults to inject from code, from `POST /sim/faults`, or from the `tikv-sim fault` CLI.
 * @example
 * const cluster = await startCluster({ stores: 3, timeScale: 20 });
 * cluster.stopStore(2); // ~1-1.5 s later PD reports store 2 Disconnected
 */
export async function startCluster(options: ClusterOptions = {}): Promise<SimCluster> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1")
    throw new SimulatorError(`Option \`host\` must be 127.0.0.1, got ${String(host)}`);
  const model = new ClusterModel(options);
  const control = new Controller(model);
  const pd = await PdServer.start(model, host, options.tls);
  control.pd = pd;
  const sim = await SimServer.start(model, control, host).catch(async (error: unknown) => {
    await pd.close();
    throw error;
  });
  if (options.tls) sim.pdMetrics = () => pd.metricsText();
  const stores: SimStore[] = model.stores.map((s) => ({
    id: s.spec.id,
    engine: s.spec.engine,
    address: s.spec.address,
    statusAddress: s.spec.statusAddress,
    metricsUrl: s.spec.engine === "tikv" ? `${sim.url}/stores/${s.spec.id}/metrics` : null,
  }));
  const scrapeTargets = stores
    .filter((s) => s.engine === "tikv")
    .map((s) => ({ target: sim.address, metricsPath: `/stores/${s.id}/metrics`, instance: s.statusAddress }));
  // The first member is PD's own server; under TLS its metrics are read from the simulator over http.
  const direct = (i: number) => i === 0 && !options.tls;
  const pdTargets: ScrapeTarget[] = model.pd.members.map((member, i) => ({
    target: direct(i) ? new URL(pd.url).host : sim.address,
    metricsPath: direct(i) ? "/metrics" : `/pd/${member.name}/metrics`,
    instance: new URL(member.clientUrl).host,
  }));
  let closed = false;
  const run = (command: FaultCommand): void => {
    control.apply(command).catch((error: unknown) => process.emitWarning(`[tikv-sim] ${String(error)}`));
  };
  return {
    pdUrl: pd.url,
    controlUrl: sim.url,
    stores,
    scrapeTargets,
    pdScrapeTarget: pdTargets[0] as ScrapeTarget,
    pdScrapeTargets: pdTargets,
    timeScale: model.clock.timeScale,
    now: () => model.clock.simNow(),
    stateName: (id) => model.store(id).stateName(model.maxStoreDownTimeMs),
    stopStore: (store) => control.applySync({ fault: "stop-store", store }),
    startStore: (store) => control.applySync({ fault: "start-store", store }),
    slowStore: (store, p99Seconds) => control.applySync({ fault: "slow-store", store, p99Seconds }),
    fillDisk: (store, usedRatio) => control.applySync({ fault: "fill-disk", store, usedRatio }),
    writeStall: (store, on) => control.applySync({ fault: "write-stall", store, on }),
    leaderDrop: (store) => control.applySync({ fault: "leader-drop", store }),
    balanceLeaders: () => control.applySync({ fault: "balance-leaders" }),
    raftstoreCpu: (store, cores) => control.applySync({ fault: "raftstore-cpu", store, cores }),
    setRegionFault: (kind, store, regions) =>
      control.applySync({ fault: "region-fault", kind, store, regions }),
    flapStore: (store, periodMs) => control.applySync({ fault: "flap-store", store, periodMs }),
    setPdFault: (mode) => run({ fault: "pd", mode }),
    setPdMemberHealth: (member, healthy) => control.applySync({ fault: "pd-member", member, healthy }),
    transferPdLeader: (member) => control.applySync({ fault: "pd-leader", member }),
    pdFsync: (member, p99Seconds) => control.applySync({ fault: "pd-fsync", member, p99Seconds }),
    pdPeerRtt: (member, p99Seconds) => control.applySync({ fault: "pd-peer-rtt", member, p99Seconds }),
    pdClockBackward: (member) => control.applySync({ fault: "pd-clock-backward", member }),
    pdCpu: (member, cores) => control.applySync({ fault: "pd-cpu", member, cores }),
    pdMemory: (member, residentGiB) => control.applySync({ fault: "pd-memory", member, residentGiB }),
    pdDbSize: (member, mib) => control.applySync({ fault: "pd-db-size", member, mib }),
    slowScore: (store, score) => control.applySync({ fault: "slow-score", store, score }),
    setStoreState: (store, state) => control.applySync({ fault: "store-state", store, state }),
    apply: (command) => control.apply(command),
    clearFaults: () => control.apply({ fault: "clear" }),
    scrapeStats: () => ({ ...sim.stats }),
    close: async () => {
      if (closed) return;
      closed = true;
      control.stopTimers();
      await Promise.all([pd.close(), sim.close()]);
    },
  };
}
