import { z } from "zod";
import { parseJson, type RequestContext, request } from "./http.ts";

/**
 * Reads through an etcd member's HTTP endpoints: `/health` and the v3 JSON gateway. The gateway
 * writes 64-bit integers as JSON strings and omits zero or empty fields.
 */

/** `/health`: 200 `{"health":"true"}`, or 503 `{"health":"false"}` during an election or an alarm. */
export interface HealthReading {
  readonly healthy: boolean;
  readonly status: number;
  /** etcd 3.5+ says why it is unhealthy. */
  readonly reason?: string;
}

/** `POST /v3/maintenance/status`: the member's own view. */
export interface MemberStatus {
  /** The cluster id in the response header (a decimal string). */
  readonly clusterId: string | undefined;
  readonly memberId: string | undefined;
  readonly version: string | undefined;
  /** Member id of the leader this member follows; `undefined` when it knows no leader. */
  readonly leader: string | undefined;
  readonly dbSizeBytes: number | undefined;
  readonly dbSizeInUseBytes: number | undefined;
  readonly raftTerm: number | undefined;
  readonly errors: readonly string[];
  readonly isLearner: boolean;
}

/** An active alarm as the alarm API lists it (cluster-wide, from any member). */
export interface AlarmReading {
  readonly memberId: string;
  /** `NOSPACE` or `CORRUPT` (etcd 3.4's alarm types). */
  readonly alarm: string;
}

/** One entry of the member list. */
export interface ClusterMember {
  readonly id: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

/** `GET /health`. A 503 with a valid body is a reading, not a failure. */
export async function readHealth(endpoint: string, context: RequestContext): Promise<HealthReading> {
  const url = `${endpoint}/health`;
  const response = await request("GET", url, context, { accept: [200, 503] });
  const body = parseJson(url, response.text, HEALTH, context.redact);
  return {
    healthy: body.health === "true" || body.health === true,
    status: response.status,
    ...(body.reason ? { reason: body.reason } : {}),
  };
}

/** `GET /metrics` as text. */
export async function readMetricsText(endpoint: string, context: RequestContext): Promise<string> {
  return (await request("GET", `${endpoint}/metrics`, context)).text;
}

/** `POST /v3/maintenance/status {}`. */
export async function readStatus(endpoint: string, context: RequestContext): Promise<MemberStatus> {
  const url = `${endpoint}/v3/maintenance/status`;
  const body = parseJson(
    url,
    (await request("POST", url, context, { body: {} })).text,
    STATUS,
    context.redact,
  );
  return {
    clusterId: body.header?.cluster_id,
    memberId: body.header?.member_id,
    version: body.version,
    leader: body.leader && body.leader !== "0" ? body.leader : undefined,
    dbSizeBytes: _number(body.dbSize),
    dbSizeInUseBytes: _number(body.dbSizeInUse),
    raftTerm: _number(body.raftTerm),
    errors: body.errors ?? [],
    isLearner: body.isLearner ?? false,
  };
}

/** `POST /v3/maintenance/alarm {"action":"GET"}`: every active alarm of the cluster. */
export async function readAlarms(endpoint: string, context: RequestContext): Promise<AlarmReading[]> {
  const url = `${endpoint}/v3/maintenance/alarm`;
  const body = parseJson(
    url,
    (await request("POST", url, context, { body: { action: "GET" } })).text,
    ALARMS,
    context.redact,
  );
  return (body.alarms ?? [])
    .filter((entry) => entry.alarm !== undefined && entry.alarm !== "NONE")
    .map((entry) => ({ memberId: entry.memberID ?? "0", alarm: entry.alarm as string }));
}

/** The member list and the cluster id in its response header. */
export interface MemberList {
  /** The cluster id (a decimal string), when the header carries one. */
  readonly clusterId: string | undefined;
  readonly members: ClusterMember[];
}

/** `POST /v3/cluster/member/list {}`. */
export async function readMemberList(endpoint: string, context: RequestContext): Promise<MemberList> {
  const url = `${endpoint}/v3/cluster/member/list`;
  const body = parseJson(
    url,
    (await request("POST", url, context, { body: {} })).text,
    MEMBERS,
    context.redact,
  );
  return {
    clusterId: body.header?.cluster_id,
    members: (body.members ?? []).map((member) => ({
      id: member.ID,
      name: member.name ?? "",
      peerUrls: member.peerURLs ?? [],
      clientUrls: member.clientURLs ?? [],
      isLearner: member.isLearner ?? false,
    })),
  };
}

// --- Internal helpers ---

const INT64 = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(String);

const HEALTH = z.object({ health: z.union([z.string(), z.boolean()]), reason: z.string().optional() });

const STATUS = z.object({
  header: z.object({ cluster_id: INT64.optional(), member_id: INT64.optional() }).optional(),
  version: z.string().optional(),
  dbSize: INT64.optional(),
  dbSizeInUse: INT64.optional(),
  leader: INT64.optional(),
  raftTerm: INT64.optional(),
  errors: z.array(z.string()).optional(),
  isLearner: z.boolean().optional(),
});

const ALARMS = z.object({
  alarms: z.array(z.object({ memberID: INT64.optional(), alarm: z.string().optional() })).optional(),
});

const MEMBERS = z.object({
  header: z.object({ cluster_id: INT64.optional() }).optional(),
  members: z
    .array(
      z.object({
        ID: INT64,
        name: z.string().optional(),
        peerURLs: z.array(z.string()).optional(),
        clientURLs: z.array(z.string()).optional(),
        isLearner: z.boolean().optional(),
      }),
    )
    .optional(),
});

function _number(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
