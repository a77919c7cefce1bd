import { z } from "zod";
import { uint64 } from "./pd-schemas.ts";

/** Longest member name or URL kept (characters); PD's are short, anything longer is refused. */
const MAX_TEXT = 512;
/** Most members or URLs accepted in one answer: a PD cluster has 1-7 members. */
const MAX_ITEMS = 64;

const text = z.string().max(MAX_TEXT);
const urls = z.array(text).max(MAX_ITEMS).nullish();

/** `GET /pd/api/v1/health`: one entry per PD member, `health` true when its `/ping` answered 200. */
export const memberHealthResponse = z
  .array(
    z
      .object({ name: text, member_id: uint64, client_urls: urls, health: z.boolean() })
      .transform((member) => ({
        name: member.name,
        memberId: member.member_id,
        clientUrls: member.client_urls ?? [],
        healthy: member.health,
      })),
  )
  .max(MAX_ITEMS);

const member = z
  .object({
    name: text.default(""),
    member_id: uint64.optional(),
    client_urls: urls,
    peer_urls: urls,
    binary_version: text.optional(),
  })
  .transform((value) => ({
    name: value.name,
    memberId: value.member_id ?? "0",
    clientUrls: value.client_urls ?? [],
    peerUrls: value.peer_urls ?? [],
    version: value.binary_version,
  }));

/**
 * `GET /pd/api/v1/members` (pdpb.GetMembersResponse): the members, PD's leader and the embedded
 * etcd's leader. Every field of a member is omitempty; `leader` is absent while PD has none.
 */
export const membersResponse = z
  .object({
    members: z.array(member).max(MAX_ITEMS).nullish(),
    leader: member.nullish(),
    etcd_leader: member.nullish(),
  })
  .transform((body) => ({
    members: body.members ?? [],
    leader: body.leader && body.leader.name !== "" ? body.leader.name : null,
    etcdLeader: body.etcd_leader && body.etcd_leader.name !== "" ? body.etcd_leader.name : null,
  }));

/** One PD member's health as `/health` reports it. */
export type PdMemberHealthEntry = z.output<typeof memberHealthResponse>[number];
/** `/members`, normalised. */
export type PdMembers = z.output<typeof membersResponse>;
/** One member of {@link PdMembers}. */
export type PdMemberInfo = PdMembers["members"][number];
