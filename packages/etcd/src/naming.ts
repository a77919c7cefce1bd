import type { ClusterMember } from "./gateway.ts";
import { normaliseUrl } from "./options.ts";

/**
 * The member of the member list whose advertised client URLs include `endpoint`. Matching on URLs
 * (not on the id a live member reports) keeps a member's entity the same while it is down.
 */
export function memberAt(endpoint: string, members: readonly ClusterMember[]): ClusterMember | undefined {
  return members.find((member) => member.clientUrls.some((url) => sameUrl(url, endpoint)));
}

/** The entity of a configured endpoint: its member's name, or the endpoint when no named member matches. */
export function entityOf(endpoint: string, members: readonly ClusterMember[]): string {
  return memberAt(endpoint, members)?.name || endpoint;
}

/** True when an advertised URL and a (normalised) configured endpoint name the same place. */
export function sameUrl(url: string, endpoint: string): boolean {
  try {
    return normaliseUrl(url) === endpoint;
  } catch {
    return false;
  }
}
