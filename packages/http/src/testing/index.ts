/**
 * @operator/http/testing: an event-stream client for tests of the API's `/api/v1/events` (Node 20
 * has no `EventSource`), and the parser it uses.
 */
export type { ReceivedEvent, SseConnection } from "./sse-client.ts";
export { connectSse, SseParser } from "./sse-client.ts";
