import { SimulatorError } from "./errors.ts";
import { STAGE_NAMES, type Stage } from "./metrics/health-metrics.ts";
import { REGION_FAULT_KINDS, type RegionFaultKind } from "./model/regions.ts";
import type { MetaState } from "./model/store.ts";
import {
  isPdMemberFault,
  PD_MEMBER_FAULT_USAGE,
  type PdMemberFaultCommand,
  parsePdMemberFault,
  pdMemberFaultWords,
} from "./pd/pd-faults.ts";
import { PD_FAULTS, type PdFault } from "./pd/pd-server.ts";

/** One fault (or repair) as the control endpoint and the CLI take it. */
export type FaultCommand =
  | { readonly fault: "stop-store" | "start-store" | "leader-drop"; readonly store: number }
  | { readonly fault: "slow-store"; readonly store: number; readonly p99Seconds: number | null }
  | { readonly fault: "fill-disk"; readonly store: number; readonly usedRatio: number }
  | { readonly fault: "write-stall"; readonly store: number; readonly on: boolean }
  | { readonly fault: "raftstore-cpu"; readonly store: number; readonly cores: number | null }
  | { readonly fault: "flap-store"; readonly store: number; readonly periodMs: number | null }
  | { readonly fault: "store-state"; readonly store: number; readonly state: MetaState }
  | {
      readonly fault: "region-fault";
      readonly kind: RegionFaultKind;
      readonly store: number;
      readonly regions: number;
    }
  | { readonly fault: "pd"; readonly mode: PdFault | null }
  | { readonly fault: "critical-error"; readonly store: number; readonly count: number }
  | { readonly fault: "channel-full"; readonly store: number; readonly on: boolean }
  | { readonly fault: "memory"; readonly store: number; readonly residentGiB: number | null }
  | { readonly fault: "process-cpu"; readonly store: number; readonly cores: number | null }
  | { readonly fault: "gc-stuck"; readonly on: boolean }
  | { readonly fault: "log-lag"; readonly store: number; readonly entries: number | null }
  | {
      readonly fault: "pending";
      readonly store: number;
      readonly queue: "scheduler" | "coprocessor" | "worker";
      readonly count: number | null;
    }
  | {
      readonly fault: "slow-stage";
      readonly store: number;
      readonly stage: Stage;
      readonly seconds: number | null;
    }
  | { readonly fault: "region-size"; readonly store: number; readonly mib: number | null }
  | { readonly fault: "unreachable"; readonly store: number; readonly perSecond: number | null }
  | { readonly fault: "balance-leaders" | "clear" }
  | PdMemberFaultCommand;

/** Usage lines for every fault, shared by the CLI help and error messages. */
export const FAULT_USAGE: readonly string[] = [
  "stop-store <id>                 heartbeats and /metrics stop",
  "start-store <id>                the process restarts (counters reset)",
  "slow-store <id> <p99s|off>      gRPC p99 moves to <p99s> seconds",
  "fill-disk <id> <usedRatio>      e.g. 0.95: available/capacity drops to 5%",
  "write-stall <id> <on|off>       RocksDB write stall gauges grow, L0 average 95",
  "leader-drop <id>                the store's leaders move to the other stores",
  "balance-leaders                 every store gets its original leader count back",
  "raftstore-cpu <id> <cores|off>  raftstore threads burn <cores> CPU",
  "region-fault <kind> <id> <n>    kind: down-peer|miss-peer|pending-peer|offline-peer; n=0 clears",
  "flap-store <id> <periodMs|off>  stopped for half of each period, running for the other half",
  "store-state <id> <Up|Offline|Tombstone>",
  "pd <unavailable|garbage|hang|down|ok>",
  "critical-error <id> [count]     the store counts critical errors (the counter appears at 1)",
  "channel-full <id> <on|off>      the raftstore channel is full 5 times a second",
  "memory <id> <GiB|off>           resident memory (the quota is 16 GiB)",
  "process-cpu <id> <cores|off>    the process burns <cores> more CPU (the quota is 8 cores)",
  "gc-stuck <on|off>               no store runs GC tasks or compaction-filter GC",
  "log-lag <id> <entries|off>      raft log lag p99 of the store's followers",
  "pending <id> <scheduler|coprocessor|worker> <n|off>   pending commands, requests or pd-worker tasks",
  `slow-stage <id> <stage> <s|off> stage: ${STAGE_NAMES.join("|")}`,
  "region-size <id> <MiB|off>      p99 of approximate region sizes",
  "unreachable <id> <n/s|off>      the other stores report <id> unreachable n times a second",
  ...PD_MEMBER_FAULT_USAGE,
  "clear                           every fault above is undone",
];

/** Builds a command from CLI words, e.g. `["slow-store", "2", "0.5"]`. */
export function parseFaultArgs(words: readonly string[]): FaultCommand {
  const [name, a, b, c] = words;
  if (isPdMemberFault(name)) return parseFaultCommand(pdMemberFaultWords(words));
  const raw: Record<string, unknown> = { fault: name };
  switch (name) {
    case "slow-store":
      Object.assign(raw, { store: a, p99Seconds: off(b) });
      break;
    case "fill-disk":
      Object.assign(raw, { store: a, usedRatio: b });
      break;
    case "write-stall":
      Object.assign(raw, { store: a, on: onOff(b) });
      break;
    case "raftstore-cpu":
      Object.assign(raw, { store: a, cores: off(b) });
      break;
    case "flap-store":
      Object.assign(raw, { store: a, periodMs: off(b) });
      break;
    case "store-state":
      Object.assign(raw, { store: a, state: b });
      break;
    case "region-fault":
      Object.assign(raw, { kind: a, store: b, regions: c });
      break;
    case "pd":
      Object.assign(raw, { mode: a === "ok" ? null : a });
      break;
    case "critical-error":
      Object.assign(raw, { store: a, count: b ?? 1 });
      break;
    case "channel-full":
      Object.assign(raw, { store: a, on: onOff(b) });
      break;
    case "gc-stuck":
      Object.assign(raw, { on: onOff(a) });
      break;
    case "memory":
      Object.assign(raw, { store: a, residentGiB: off(b) });
      break;
    case "process-cpu":
      Object.assign(raw, { store: a, cores: off(b) });
      break;
    case "log-lag":
      Object.assign(raw, { store: a, entries: off(b) });
      break;
    case "pending":
      Object.assign(raw, { store: a, queue: b, count: off(c) });
      break;
    case "slow-stage":
      Object.assign(raw, { store: a, stage: b, seconds: off(c) });
      break;
    case "region-size":
      Object.assign(raw, { store: a, mib: off(b) });
      break;
    case "unreachable":
      Object.assign(raw, { store: a, perSecond: off(b) });
      break;
    default:
      Object.assign(raw, { store: a });
  }
  return parseFaultCommand(raw);
}

/** Validates a command received as JSON; one {@link SimulatorError} names what is wrong. */
export function parseFaultCommand(input: unknown): FaultCommand {
  if (typeof input !== "object" || input === null)
    throw new SimulatorError("A fault command must be a JSON object");
  const raw = input as Record<string, unknown>;
  const fault = raw.fault;
  if (isPdMemberFault(fault)) return parsePdMemberFault(raw);
  switch (fault) {
    case "stop-store":
    case "start-store":
    case "leader-drop":
      return { fault, store: storeId(raw.store) };
    case "slow-store":
      return {
        fault,
        store: storeId(raw.store),
        p99Seconds: optionalNumber("p99Seconds", raw.p99Seconds, 0, 100),
      };
    case "fill-disk":
      return { fault, store: storeId(raw.store), usedRatio: number("usedRatio", raw.usedRatio, 0, 1) };
    case "write-stall":
      if (typeof raw.on !== "boolean") throw new SimulatorError("Fault write-stall needs `on` true or false");
      return { fault, store: storeId(raw.store), on: raw.on };
    case "raftstore-cpu":
      return { fault, store: storeId(raw.store), cores: optionalNumber("cores", raw.cores, 0, 64) };
    case "flap-store":
      return {
        fault,
        store: storeId(raw.store),
        periodMs: optionalNumber("periodMs", raw.periodMs, 100, 86_400_000),
      };
    case "store-state":
      if (raw.state !== "Up" && raw.state !== "Offline" && raw.state !== "Tombstone") {
        throw new SimulatorError(
          `Fault store-state needs \`state\` Up, Offline or Tombstone, got ${String(raw.state)}`,
        );
      }
      return { fault, store: storeId(raw.store), state: raw.state };
    case "region-fault":
      if (!REGION_FAULT_KINDS.includes(raw.kind as RegionFaultKind)) {
        throw new SimulatorError(
          `Fault region-fault needs \`kind\` in ${REGION_FAULT_KINDS.join(", ")}, got ${String(raw.kind)}`,
        );
      }
      return {
        fault,
        kind: raw.kind as RegionFaultKind,
        store: storeId(raw.store),
        regions: count(raw.regions),
      };
    case "pd":
      if (raw.mode !== null && !PD_FAULTS.includes(raw.mode as PdFault)) {
        throw new SimulatorError(
          `Fault pd needs \`mode\` in ${PD_FAULTS.join(", ")} or null, got ${String(raw.mode)}`,
        );
      }
      return { fault, mode: raw.mode as PdFault | null };
    case "balance-leaders":
    case "clear":
      return { fault };
    case "critical-error":
      return { fault, store: storeId(raw.store), count: integer("count", raw.count ?? 1, 1, 1_000_000) };
    case "channel-full":
    case "gc-stuck": {
      if (typeof raw.on !== "boolean") throw new SimulatorError(`Fault ${fault} needs \`on\` true or false`);
      return fault === "gc-stuck" ? { fault, on: raw.on } : { fault, store: storeId(raw.store), on: raw.on };
    }
    case "memory":
      return {
        fault,
        store: storeId(raw.store),
        residentGiB: optionalNumber("residentGiB", raw.residentGiB, 0, 4096),
      };
    case "process-cpu":
      return { fault, store: storeId(raw.store), cores: optionalNumber("cores", raw.cores, 0, 1024) };
    case "log-lag":
      return { fault, store: storeId(raw.store), entries: optionalNumber("entries", raw.entries, 0, 1e9) };
    case "pending":
      if (raw.queue !== "scheduler" && raw.queue !== "coprocessor" && raw.queue !== "worker") {
        throw new SimulatorError(
          `Fault pending needs \`queue\` scheduler, coprocessor or worker, got ${String(raw.queue)}`,
        );
      }
      return {
        fault,
        store: storeId(raw.store),
        queue: raw.queue,
        count: optionalNumber("count", raw.count, 0, 1e9),
      };
    case "slow-stage":
      if (!STAGE_NAMES.includes(raw.stage as Stage)) {
        throw new SimulatorError(
          `Fault slow-stage needs \`stage\` in ${STAGE_NAMES.join(", ")}, got ${String(raw.stage)}`,
        );
      }
      return {
        fault,
        store: storeId(raw.store),
        stage: raw.stage as Stage,
        seconds: optionalNumber("seconds", raw.seconds, 0, 10_000),
      };
    case "region-size":
      return { fault, store: storeId(raw.store), mib: optionalNumber("mib", raw.mib, 1, 1_000_000) };
    case "unreachable":
      return {
        fault,
        store: storeId(raw.store),
        perSecond: optionalNumber("perSecond", raw.perSecond, 0, 1e6),
      };
    default:
      throw new SimulatorError(
        `Unknown fault ${JSON.stringify(fault)}; known faults:\n  ${FAULT_USAGE.join("\n  ")}`,
      );
  }
}

// --- Internal helpers ---

function off(word: string | undefined): string | null | undefined {
  return word === "off" ? null : word;
}

function onOff(word: string | undefined): boolean | string | undefined {
  return word === "on" ? true : word === "off" ? false : word;
}

function integer(name: string, value: unknown, min: number, max: number): number {
  const n = number(name, value, min, max);
  if (!Number.isInteger(n)) throw new SimulatorError(`\`${name}\` must be an integer, got ${String(value)}`);
  return n;
}

function storeId(value: unknown): number {
  const id = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (!Number.isInteger(id) || (id as number) < 1)
    throw new SimulatorError(`A store id must be a positive integer, got ${String(value)}`);
  return id as number;
}

function number(name: string, value: unknown, min: number, max: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max) {
    throw new SimulatorError(`\`${name}\` must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return n;
}

function optionalNumber(name: string, value: unknown, min: number, max: number): number | null {
  return value === null ? null : number(name, value, min, max);
}

function count(value: unknown): number {
  const n = number("regions", value, 0, 100_000);
  if (!Number.isInteger(n)) throw new SimulatorError(`\`regions\` must be an integer, got ${String(value)}`);
  return n;
}
