import { z } from "zod";
import {
  actionBody,
  eventsQuery,
  feedItemJson,
  problemJson,
  statusJson,
  ticketDetailJson,
  ticketJson,
  ticketListJson,
  ticketListQuery,
} from "./schemas.ts";

let cached: object | undefined;

/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas that validate requests
 * (query parameters and bodies) and describe answers; built once.
 */
export function openApiDocument(): object {
  cached ??= build();
  return cached;
}

function build(): object {
  const components: Record<string, unknown> = {};
  const strip = (generated: object) => hoist(generated, components);
  const schema = (s: z.ZodType) =>
    strip(z.toJSONSchema(s, { io: "input", target: "draft-2020-12", unrepresentable: "any" }));
  const out = (s: z.ZodType) =>
    strip(z.toJSONSchema(s, { io: "output", target: "draft-2020-12", unrepresentable: "any" }));
  const queryParams = (s: z.ZodObject) => {
    const json = schema(s) as { properties: Record<string, { description?: string }> };
    return Object.entries(json.properties).map(([name, prop]) => ({
      name,
      in: "query",
      required: false,
      ...(prop.description ? { description: prop.description } : {}),
      schema: prop,
    }));
  };
  const problems = (...codes: number[]) =>
    Object.fromEntries(
      codes.map((code) => [
        String(code),
        {
          description: DESCRIPTIONS[code] ?? "Error",
          content: { "application/problem+json": { schema: out(problemJson) } },
        },
      ]),
    );
  const idParam = {
    name: "id",
    in: "path",
    required: true,
    schema: { type: "integer", minimum: 1 },
    description: "Ticket id",
  };
  const json = (s: z.ZodType, description: string) => ({
    description,
    content: { "application/json": { schema: out(s) } },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "Operator API",
      version: "1",
      description:
        "Tickets, actions, status and a live event stream of an Operator daemon (docs/http-api.md). Writes need Authorization: Bearer <token>; with --api-auth all, reads too. Errors are application/problem+json (RFC 9457).",
    },
    servers: [{ url: "/api/v1" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: components,
    },
    paths: {
      "/tickets": {
        get: {
          summary: "List tickets, newest first (unresolved only unless status says otherwise)",
          parameters: queryParams(ticketListQuery),
          responses: { "200": json(ticketListJson, "One page of tickets"), ...problems(400, 401, 503) },
        },
      },
      "/tickets/{id}": {
        get: {
          summary: "One ticket with its events and first/last values (as `operator tickets show --json`)",
          parameters: [idParam],
          responses: { "200": json(ticketDetailJson, "The ticket"), ...problems(400, 401, 404, 503) },
        },
      },
      ...Object.fromEntries(
        ["ack", "diagnose", "resolve", "hold", "unhold"].map((action) => [
          `/tickets/{id}/${action}`,
          {
            post: {
              summary: `${action} a ticket (the CLI's rules)`,
              security: [{ bearer: [] }],
              parameters: [idParam],
              requestBody: {
                required: false,
                content: { "application/json": { schema: schema(actionBody) } },
              },
              responses: {
                "200": json(ticketJson, "The changed ticket"),
                ...problems(400, 401, 403, 404, 409, 413, 415, 503),
              },
            },
          },
        ]),
      ),
      "/status": {
        get: {
          summary: "Subjects, last and next cycle, unknown results, ticket counts",
          responses: { "200": json(statusJson, "The monitor's state"), ...problems(401, 503) },
        },
      },
      "/events": {
        get: {
          summary:
            "Server-sent events: one `ticket` event per committed ticket event (`id:` is the event id; resume with Last-Event-ID or ?lastEventId=); `: keepalive` every 15 s",
          parameters: [
            ...queryParams(eventsQuery),
            {
              name: "Last-Event-ID",
              in: "header",
              required: false,
              schema: { type: "string", pattern: "^[0-9]+$" },
            },
          ],
          responses: {
            "200": {
              description: "The stream; each event's data is a FeedItem",
              content: { "text/event-stream": { schema: { type: "string" }, "x-data": out(feedItemJson) } },
            },
            ...problems(400, 401, 503),
          },
        },
      },
      "/openapi.json": {
        get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } },
      },
    },
  };
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "Invalid request: `field` names the parameter or body field at fault",
  401: "Missing or invalid bearer token",
  403: "Writes are disabled: no token is configured",
  404: "No such ticket",
  409: "The ticket's state refuses the transition",
  413: "Body larger than 16 KiB",
  415: "Body not sent as application/json",
  503: "The ticket database cannot be used",
};

/**
 * A generated JSON Schema made part of the document: its `$schema` dropped (OpenAPI 3.1 sets the
 * dialect), its `$defs` moved to `components.schemas` and every `#/$defs/X` pointed there.
 */
function hoist(generated: object, components: Record<string, unknown>): object {
  const { $schema: _dialect, $defs, ...rest } = generated as Record<string, unknown>;
  const relink = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(relink);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        key === "$ref" && typeof v === "string" ? v.replace("#/$defs/", "#/components/schemas/") : relink(v),
      ]),
    );
  };
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
    components[name] = relink(definition);
  }
  return relink(rest) as object;
}
