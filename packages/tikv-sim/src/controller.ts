import type { FaultCommand } from "./control.ts";
import type { ClusterModel } from "./model/cluster-model.ts";
import { REGION_FAULT_KINDS } from "./model/regions.ts";
import { healthyFaults } from "./model/store.ts";
import { applyPdMemberFault, isPdMemberCommand } from "./pd/pd-faults.ts";
import type { PdServer } from "./pd/pd-server.ts";

/**
 * Applies fault commands to the cluster model and reports its state; shared by the `SimCluster`
 * methods, the control endpoint and, through it, the CLI.
 */
export class Controller {
  /** Set once PD listens; PD faults need it. */
  pd: PdServer | null = null;
  readonly #model: ClusterModel;

  constructor(model: ClusterModel) {
    this.#model = model;
  }

  /** Applies any command; resolves once a PD fault has taken effect (a `down` PD has stopped listening). */
  async apply(command: FaultCommand): Promise<void> {
    if (command.fault === "pd") return this.pd?.setFault(command.mode);
    if (command.fault === "clear") {
      for (const store of this.#model.stores) {
        if (store.flapTimer) clearInterval(store.flapTimer);
        store.flapTimer = null;
        store.start();
        store.p99Override = null;
        store.raftstoreOverride = null;
        store.writeStall = false;
        store.usedRatio = store.spec.usedRatio;
        store.metaState = "Up";
        store.residentBytes = null;
        store.extraCores = null;
        store.health = healthyFaults(store.health.criticalErrors);
        store.refreshMetrics();
        for (const kind of REGION_FAULT_KINDS) {
          this.#model.regionFaults.set(kind, store.spec.id, 0, 0);
        }
      }
      this.applySync({ fault: "balance-leaders" });
      this.#model.pd.clear(this.#model.clock.realNow());
      return this.pd?.setFault(null);
    }
    this.applySync(command);
  }

  /** Applies a store or region command at once; throws a `SimulatorError` for an unknown store. */
  applySync(command: FaultCommand): void {
    const model = this.#model;
    if (isPdMemberCommand(command)) {
      applyPdMemberFault(model, command);
      return;
    }
    switch (command.fault) {
      case "pd":
      case "clear":
        void this.apply(command);
        return;
      case "balance-leaders":
        for (const s of model.stores) s.leaderCount = s.spec.leaderCount;
        return;
      case "region-fault":
        model.store(command.store);
        model.regionFaults.set(command.kind, command.store, command.regions, model.clock.simNow());
        return;
      case "gc-stuck":
        for (const s of model.stores) {
          s.health.gcStuck = command.on;
          s.refreshMetrics();
        }
        return;
      case "unreachable":
        model.store(command.store);
        for (const s of model.stores) {
          if (s.spec.id === command.store) continue;
          if (command.perSecond === null) s.health.unreachable.delete(command.store);
          else s.health.unreachable.set(command.store, command.perSecond);
          s.refreshMetrics();
        }
        return;
    }
    const store = model.store(command.store);
    switch (command.fault) {
      case "stop-store":
        store.stop();
        return;
      case "start-store":
        store.start();
        return;
      case "slow-store":
        store.p99Override = command.p99Seconds;
        break;
      case "fill-disk":
        store.usedRatio = command.usedRatio;
        break;
      case "write-stall":
        store.writeStall = command.on;
        break;
      case "raftstore-cpu":
        store.raftstoreOverride = command.cores;
        break;
      case "critical-error":
        store.health.criticalErrors += command.count;
        break;
      case "channel-full":
        store.health.channelFull = command.on;
        break;
      case "memory":
        store.residentBytes =
          command.residentGiB === null ? null : Math.round(command.residentGiB * 1024 ** 3);
        break;
      case "process-cpu":
        store.extraCores = command.cores;
        break;
      case "log-lag":
        store.health.logLag = command.entries;
        break;
      case "pending":
        if (command.queue === "scheduler") store.health.schedulerPending = command.count;
        else if (command.queue === "coprocessor") store.health.coprocessorPending = command.count;
        else store.health.workerPending = command.count;
        break;
      case "slow-stage":
        if (command.seconds === null) store.health.stages.delete(command.stage);
        else store.health.stages.set(command.stage, command.seconds);
        break;
      case "region-size":
        store.health.regionSizeBytes = command.mib === null ? null : command.mib * 1024 * 1024;
        break;
      case "store-state":
        store.metaState = command.state;
        break;
      case "leader-drop": {
        const receivers = model.stores.filter((s) => s !== store && s.spec.engine === "tikv" && s.running);
        receivers.forEach((s, i) => {
          s.leaderCount +=
            Math.floor(store.leaderCount / receivers.length) +
            (i < store.leaderCount % receivers.length ? 1 : 0);
        });
        store.leaderCount = 0;
        break;
      }
      case "flap-store": {
        if (store.flapTimer) clearInterval(store.flapTimer);
        store.flapTimer = null;
        if (command.periodMs === null) {
          store.start();
          return;
        }
        store.stop();
        store.flapTimer = setInterval(
          () => (store.running ? store.stop() : store.start()),
          command.periodMs / 2,
        );
        store.flapTimer.unref();
        return;
      }
    }
    store.refreshMetrics();
  }

  /** What `GET /sim/state` reports: PD's fault and every store's process and fault settings. */
  state(): unknown {
    const model = this.#model;
    return {
      now: new Date(model.clock.simNow()).toISOString(),
      timeScale: model.clock.timeScale,
      pdFault: this.pd?.fault ?? null,
      pdLeader: model.pd.leader,
      pdMembers: model.pd.members.map((m) => ({
        name: m.name,
        healthy: m.healthy,
        fsyncP99: m.fsyncP99,
        peerRttP99: m.peerRttP99,
        clockSlowEvents: m.clockSlowEvents,
      })),
      stores: model.stores.map((s) => ({
        id: s.spec.id,
        engine: s.spec.engine,
        statusAddress: s.spec.statusAddress,
        running: s.running,
        stateName: s.stateName(model.maxStoreDownTimeMs),
        flapping: s.flapTimer !== null,
        p99Seconds: s.p99Override,
        raftstoreCores: s.raftstoreOverride,
        writeStall: s.writeStall,
        usedRatio: Math.round(s.usedRatio * 1000) / 1000,
        leaderCount: s.leaderCount,
      })),
    };
  }

  /** Ends every flapping timer (on close). */
  stopTimers(): void {
    for (const store of this.#model.stores) {
      if (store.flapTimer) clearInterval(store.flapTimer);
      store.flapTimer = null;
    }
  }
}
