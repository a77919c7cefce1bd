import { SimulatorError } from "../errors.ts";
import type { ClusterModel } from "../model/cluster-model.ts";
import type { PdMemberModel } from "./pd-members.ts";

/** A fault of PD's members, their embedded etcd, or a store's slow score. */
export type PdMemberFaultCommand =
  | { readonly fault: "pd-member"; readonly member: string; readonly healthy: boolean }
  | { readonly fault: "pd-leader"; readonly member: string }
  | { readonly fault: "pd-fsync"; readonly member: string; readonly p99Seconds: number | null }
  | { readonly fault: "pd-peer-rtt"; readonly member: string; readonly p99Seconds: number | null }
  | { readonly fault: "pd-clock-backward"; readonly member: string }
  | { readonly fault: "pd-cpu"; readonly member: string; readonly cores: number | null }
  | { readonly fault: "pd-memory"; readonly member: string; readonly residentGiB: number | null }
  | { readonly fault: "pd-db-size"; readonly member: string; readonly mib: number | null }
  | { readonly fault: "slow-score"; readonly store: number; readonly score: number | null };

/** Usage lines of these faults, for the CLI help. */
export const PD_MEMBER_FAULT_USAGE: readonly string[] = [
  "pd-member <name> <up|down>      e.g. pd-2: /health reports it unhealthy, its /metrics fail",
  "pd-leader <name>                PD's leadership moves to that member",
  "pd-fsync <name> <p99s|off>      the member's etcd WAL fsync p99 moves to <p99s> seconds",
  "pd-peer-rtt <name> <p99s|off>   round trips from the member to its peers reach <p99s> seconds",
  "pd-clock-backward <name>        the member finds its clock behind allocated TSO (one event)",
  "pd-cpu <name> <cores|off>       the member's process burns <cores> CPU (GOMAXPROCS is 8)",
  "pd-memory <name> <GiB|off>      the member's resident memory (its quota is 16 GiB)",
  "pd-db-size <name> <MiB|off>     the member's etcd backend size (its quota is 8192 MiB)",
  "slow-score <id> <1-100|off>     PD reports that slow_score for the store",
];

const NAMES = new Set([
  "pd-member",
  "pd-leader",
  "pd-fsync",
  "pd-peer-rtt",
  "pd-clock-backward",
  "pd-cpu",
  "pd-memory",
  "pd-db-size",
  "slow-score",
]);

/** True for the fault names this file handles. */
export function isPdMemberFault(name: unknown): boolean {
  return typeof name === "string" && NAMES.has(name);
}

/** True for a command this file handles. */
export function isPdMemberCommand(command: { readonly fault: string }): command is PdMemberFaultCommand {
  return NAMES.has(command.fault);
}

/** Builds the raw command from CLI words (validated by {@link parsePdMemberFault}). */
export function pdMemberFaultWords(words: readonly string[]): Record<string, unknown> {
  const [fault, a, b] = words;
  const off = (word: string | undefined) => (word === "off" ? null : word);
  switch (fault) {
    case "pd-member":
      return { fault, member: a, healthy: b === "up" ? true : b === "down" ? false : b };
    case "pd-fsync":
    case "pd-peer-rtt":
      return { fault, member: a, p99Seconds: off(b) };
    case "pd-cpu":
      return { fault, member: a, cores: off(b) };
    case "pd-memory":
      return { fault, member: a, residentGiB: off(b) };
    case "pd-db-size":
      return { fault, member: a, mib: off(b) };
    case "slow-score":
      return { fault, store: a, score: off(b) };
    default:
      return { fault, member: a };
  }
}

/** Validates one of these commands received as JSON; one {@link SimulatorError} names what is wrong. */
export function parsePdMemberFault(raw: Record<string, unknown>): PdMemberFaultCommand {
  const fault = raw.fault;
  if (fault === "slow-score") {
    const store = typeof raw.store === "string" && /^\d+$/.test(raw.store) ? Number(raw.store) : raw.store;
    if (!Number.isInteger(store) || (store as number) < 1)
      throw new SimulatorError(`A store id must be a positive integer, got ${String(raw.store)}`);
    return { fault, store: store as number, score: _number("score", raw.score, 1, 100) };
  }
  if (typeof raw.member !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(raw.member))
    throw new SimulatorError(`Fault ${String(fault)} needs \`member\`, a PD member name such as pd-2`);
  const member = raw.member;
  switch (fault) {
    case "pd-member":
      if (typeof raw.healthy !== "boolean")
        throw new SimulatorError("Fault pd-member needs `healthy` true or false (up or down)");
      return { fault, member, healthy: raw.healthy };
    case "pd-fsync":
    case "pd-peer-rtt":
      return { fault, member, p99Seconds: _number("p99Seconds", raw.p99Seconds, 0.0001, 60) };
    case "pd-cpu":
      return { fault, member, cores: _number("cores", raw.cores, 0, 1024) };
    case "pd-memory":
      return { fault, member, residentGiB: _number("residentGiB", raw.residentGiB, 0, 4096) };
    case "pd-db-size":
      return { fault, member, mib: _number("mib", raw.mib, 0, 1_048_576) };
    case "pd-leader":
    case "pd-clock-backward":
      return { fault, member };
    default:
      throw new SimulatorError(`Unknown PD member fault ${JSON.stringify(fault)}`);
  }
}

/** Applies one of these commands to the model; an unknown member or store is a {@link SimulatorError}. */
export function applyPdMemberFault(model: ClusterModel, command: PdMemberFaultCommand): void {
  const now = model.clock.realNow();
  if (command.fault === "slow-score") {
    model.store(command.store);
    if (command.score === null) model.pd.slowScores.delete(command.store);
    else model.pd.slowScores.set(command.store, command.score);
    return;
  }
  const member = _member(model, command.member);
  switch (command.fault) {
    case "pd-member":
      if (!command.healthy && member === model.pd.members[0])
        throw new SimulatorError(
          `${member.name} serves the simulated PD API; use the fault \`pd down\` for it`,
        );
      model.pd.setHealthy(member, command.healthy, now);
      return;
    case "pd-leader":
      if (!member.healthy) throw new SimulatorError(`${member.name} is unhealthy and cannot lead`);
      model.pd.setLeader(member.name, now);
      return;
    case "pd-fsync":
      model.pd.setFsync(member, command.p99Seconds, now);
      return;
    case "pd-peer-rtt":
      model.pd.setPeerRtt(member, command.p99Seconds, now);
      return;
    case "pd-clock-backward":
      member.clockSlowEvents += 1;
      return;
    case "pd-cpu":
      model.pd.setCpu(member, command.cores, now);
      return;
    case "pd-memory":
      member.residentBytes =
        command.residentGiB === null ? null : Math.round(command.residentGiB * 1024 ** 3);
      return;
    case "pd-db-size":
      member.dbBytes = command.mib === null ? null : Math.round(command.mib * 1024 ** 2);
      return;
  }
}

// --- Internal helpers ---

function _member(model: ClusterModel, name: string): PdMemberModel {
  const member = model.pd.find(name);
  if (!member) {
    const names = model.pd.members.map((m) => m.name).join(", ");
    throw new SimulatorError(`No simulated PD member ${JSON.stringify(name)} (members are ${names})`);
  }
  return member;
}

function _number(name: string, value: unknown, min: number, max: number): number | null {
  if (value === null) return null;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max)
    throw new SimulatorError(
      `\`${name}\` must be a number from ${min} to ${max} or off, got ${String(value)}`,
    );
  return n;
}
