import {
  checkSilenceDraft,
  isSilenceActive,
  type Silence,
  SilenceNotFoundError,
  type SilenceStore,
  silenceEnd,
} from "./silence.ts";

/** The {@link SilenceStore} half of the memory store; same behaviour as the SQLite store. */
export function createMemorySilences(): SilenceStore & {
  /** Silences not ended by `at`, oldest first (for cycle snapshots). */
  notEndedBy(at: number): Silence[];
} {
  const silences = new Map<number, Silence>();
  let nextId = 1;
  return {
    async addSilence(draft, now) {
      const checked = checkSilenceDraft(draft);
      const silence: Silence = Object.freeze({
        id: nextId++,
        matchers: checked.matchers.map((m) => Object.freeze({ ...m })),
        startsAt: checked.startsAt,
        endsAt: checked.endsAt,
        createdBy: checked.createdBy,
        comment: checked.comment,
        createdAt: now,
        expiredAt: null,
        expiredBy: null,
      });
      silences.set(silence.id, silence);
      return silence;
    },

    async listSilences({ all = false, now }) {
      return [...silences.values()]
        .filter((silence) => all || silenceEnd(silence) > now)
        .sort((a, b) => b.id - a.id);
    },

    async expireSilence(id, by, now) {
      const silence = silences.get(id);
      if (!silence) throw new SilenceNotFoundError(id);
      if (silenceEnd(silence) <= now) return silence;
      const expired: Silence = Object.freeze({ ...silence, expiredAt: now, expiredBy: by });
      silences.set(id, expired);
      return expired;
    },

    notEndedBy(at) {
      return [...silences.values()].filter((silence) => silenceEnd(silence) > at).sort((a, b) => a.id - b.id);
    },

    async activeSilences(at) {
      return [...silences.values()]
        .filter((silence) => isSilenceActive(silence, at))
        .sort((a, b) => a.id - b.id);
    },
  };
}
