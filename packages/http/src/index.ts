/**
 * `@operator/http`: Operator's HTTP API over core's `TicketStore` (Hono on node): tickets, actions,
 * status, server-sent events and the OpenAPI document, with bearer tokens and problem details.
 */
export type { ApiAuthMode, HttpApp, HttpAppOptions } from "./app.ts";
export { API_BASE, CONTENT_SECURITY_POLICY, createHttpApp } from "./app.ts";
export { MAX_BODY_BYTES } from "./body.ts";
export type { EventHub, EventHubOptions, FeedClient, FeedMessage, FeedSubscription } from "./event-hub.ts";
export { createEventHub, latestEventId } from "./event-hub.ts";
export { capConnections, readPem, serverUrl } from "./listener.ts";
export { openApiDocument } from "./openapi.ts";
export type { Problem } from "./problem.ts";
export { PROBLEM_TYPE } from "./problem.ts";
export {
  actionBody,
  eventJson,
  feedItemJson,
  problemJson,
  statusJson,
  ticketDetailJson,
  ticketJson,
  ticketListJson,
  ticketListQuery,
} from "./schemas.ts";
export type { ApiListener, HttpServer, HttpServerOptions, ListenOn, TlsFiles } from "./server.ts";
export { createApiListener, createListener, MAX_HEADER_BYTES, startHttpServer } from "./server.ts";
export type { StatusProvider, SubjectStatus, TicketCounts } from "./status.ts";
export type { ApiTokens } from "./tokens.ts";
export { apiTokens, ENV_TOKEN_NAME, MIN_TOKEN_LENGTH, parseTokensFile, tokenLines } from "./tokens.ts";
