/**
 * `@operator/promql`: an Operator subject plugin whose invariants are PromQL rules. Each series a
 * rule's expression returns is a violation keyed by its labels; a failed query, or no data when a
 * rule says so, is `unknown`. The default export is the factory.
 */
export type { PromqlObservation, RuleReading } from "./observation.ts";
export type { PromqlOptions, PromqlRule } from "./subject.ts";
export { promqlSubject, SUBJECT_KIND } from "./subject.ts";

import { promqlSubject } from "./subject.ts";
export default promqlSubject;
