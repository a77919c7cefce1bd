import { SimClock } from "../clock.ts";
import { SimulatorError } from "../errors.ts";
import { PdMembersModel } from "../pd/pd-members.ts";
import { createRng } from "../rng.ts";
import { RegionFaults } from "./regions.ts";
import { StoreModel, type StoreSpec } from "./store.ts";

/** How to build a simulated cluster. */
export interface ClusterModelOptions {
  /** TiKV stores. @default 3 */
  readonly stores?: number;
  /** TiFlash stores (label engine=tiflash, no TiKV metrics). @default 0 */
  readonly tiflashStores?: number;
  /** Simulated seconds per real second. @default 1 */
  readonly timeScale?: number;
  /** PD's `max-store-down-time`, simulated ms. @default 30 min */
  readonly maxStoreDownTimeMs?: number;
  /** Regions in the cluster (3 replicas each). @default 100 per TiKV store */
  readonly regions?: number;
  /** Seed of every random choice (sizes, rates, ids). @default 1 */
  readonly seed?: number;
  /** PD members (`pd-1` serves the API; the others appear in `/members`, `/health`, their own metrics). @default 3 */
  readonly pdMembers?: number;
}

const GiB = 1024 ** 3;
const ZONES = ["z1", "z2", "z3"] as const;
const CAPACITIES_GIB = [500, 1024, 2014] as const;

/**
 * The whole simulated cluster's state: its stores, PD's identity and configuration, the simulated
 * clock and the region faults. The PD server and the metrics server only read it.
 */
export class ClusterModel {
  readonly clock: SimClock;
  readonly stores: readonly StoreModel[];
  readonly regionFaults = new RegionFaults();
  readonly clusterId: bigint;
  readonly memberId: bigint;
  readonly regionTotal: number;
  readonly maxStoreDownTimeMs: number;
  /** PD's members, leader and embedded etcd. */
  readonly pd: PdMembersModel;
  readonly #byId: Map<number, StoreModel>;

  constructor(options: ClusterModelOptions = {}) {
    const tikv = checkCount("stores", options.stores ?? 3, 1);
    const tiflash = checkCount("tiflashStores", options.tiflashStores ?? 0, 0);
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale > 0 && Number.isFinite(timeScale))) {
      throw new SimulatorError(`Option \`timeScale\` must be a positive number, got ${timeScale}`);
    }
    this.maxStoreDownTimeMs = options.maxStoreDownTimeMs ?? 30 * 60_000;
    if (!(this.maxStoreDownTimeMs > 20_000)) {
      throw new SimulatorError(
        `Option \`maxStoreDownTimeMs\` must exceed 20000 (PD's disconnect time), got ${this.maxStoreDownTimeMs}`,
      );
    }
    this.regionTotal = checkCount("regions", options.regions ?? tikv * 100, 0);
    const rng = createRng(options.seed ?? 1);
    this.clock = new SimClock(timeScale);
    this.clusterId = 6_000_000_000_000_000_000n + BigInt(Math.floor(rng() * 2 ** 52)) * 128n;
    this.memberId = 13_000_000_000_000_000_000n + BigInt(Math.floor(rng() * 2 ** 52)) * 64n;
    const specs: StoreSpec[] = [];
    const perStore = (this.regionTotal * 3) / tikv;
    for (let id = 1; id <= tikv + tiflash; id++) {
      specs.push(
        id <= tikv
          ? tikvSpec(id, rng, perStore, this.regionTotal / tikv)
          : tiflashSpec(id, rng, this.regionTotal / Math.max(1, tiflash)),
      );
    }
    this.stores = specs.map((spec) => new StoreModel(spec, this.clock));
    const pdMembers = checkCount("pdMembers", options.pdMembers ?? 3, 1);
    this.pd = new PdMembersModel(pdMembers, this.memberId, this.clock.realNow());
    this.#byId = new Map(this.stores.map((s) => [s.spec.id, s]));
  }

  /** The store with this id, or a {@link SimulatorError} naming the known ids. */
  store(id: number): StoreModel {
    const store = this.#byId.get(id);
    if (!store) {
      const ids = this.stores.map((s) => s.spec.id);
      throw new SimulatorError(
        `No simulated store with id ${id} (stores are ${ids[0]}..${ids[ids.length - 1]})`,
      );
    }
    return store;
  }

  /** Like {@link store}, but `undefined` when unknown (PD's 404 path). */
  findStore(id: number): StoreModel | undefined {
    return this.#byId.get(id);
  }
}

// --- Internal helpers ---

function tikvSpec(
  id: number,
  rng: () => number,
  regionsPerStore: number,
  leadersPerStore: number,
): StoreSpec {
  const host = `tikv-${id}.sim`;
  const jitter = 0.9 + rng() * 0.2;
  return {
    id,
    engine: "tikv",
    address: `${host}:20160`,
    statusAddress: `${host}:20180`,
    labels: [
      { key: "zone", value: ZONES[(id - 1) % ZONES.length] as string },
      { key: "host", value: `tikv-${id}` },
    ],
    capacityBytes: (CAPACITIES_GIB[Math.floor(rng() * 3)] ?? 1024) * GiB,
    usedRatio: 0.25 + rng() * 0.2,
    regionCount: Math.round(regionsPerStore * jitter),
    leaderCount: Math.round(leadersPerStore * jitter),
    uptimeMs: Math.floor((2 + rng() * 46) * 3_600_000),
    profile: {
      storeId: id,
      requestsPerSecond: Math.round(200 + rng() * 600),
      p99Seconds: 0.004 + rng() * 0.012,
      raftstoreCores: 0.1 + rng() * 0.2,
      residentBytes: Math.round((4 + rng() * 4) * GiB),
      cpuQuota: 8,
      memoryQuotaBytes: 16 * GiB,
    },
  };
}

function tiflashSpec(id: number, rng: () => number, regions: number): StoreSpec {
  const host = `tiflash-${id}.sim`;
  return {
    id,
    engine: "tiflash",
    address: `${host}:3930`,
    statusAddress: `${host}:20292`,
    labels: [{ key: "engine", value: "tiflash" }],
    capacityBytes: 2014 * GiB,
    usedRatio: 0.1 + rng() * 0.1,
    regionCount: Math.round(regions),
    leaderCount: 0,
    uptimeMs: Math.floor((2 + rng() * 46) * 3_600_000),
    profile: {
      storeId: id,
      requestsPerSecond: 0,
      p99Seconds: 0.01,
      raftstoreCores: 0,
      residentBytes: 8 * GiB,
      cpuQuota: 16,
      memoryQuotaBytes: 32 * GiB,
    },
  };
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new SimulatorError(`Option \`${name}\` must be an integer >= ${min}, got ${value}`);
  }
  return value;
}
