import type { CallContext as KitCallContext, RequestEvent as KitRequestEvent } from "@operator/subject-kit";

/** One HTTP request attempt of this plugin, as reported to `onRequest`: to PD or to Prometheus. */
export type RequestEvent = KitRequestEvent<"pd" | "prometheus">;

/** The time budget of one call: the cycle's signal and deadline. */
export type CallContext = KitCallContext<"pd" | "prometheus">;
