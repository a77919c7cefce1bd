/**
 * @operator/subject-kit/testing: a local HTTP server for testing a subject's clients against answers
 * that are slow, stalled, endless, compressed or malformed, and helpers to write such answers.
 */
export type { Reply, Route, TestServer } from "./http-server.ts";
export { startTestServer } from "./http-server.ts";
export type { StreamStats } from "./streams.ts";
export { gzipBomb, peakRssGrowth, streamRepeated } from "./streams.ts";
