import type { Notifier } from "@operator/core";
import { ConfigError, isOperatorError } from "@operator/core";
import type { NotifySpec } from "./config.ts";
import { loadSubjectFactory } from "./load-subject.ts";
import { registerCredential } from "./redact.ts";

/**
 * Builds every configured notification channel: a built-in type (`webhook`, `alertmanager`, `slack`,
 * `pagerduty`) from `@operator/notify`, any other type as a plugin package exporting a
 * `NotifierFactory`, resolved like subject plugins (package names only, `pluginDir`, then operator's
 * own installation). Each failure is one {@link ConfigError} naming the entry (`notify[1]`) and the
 * problem the channel reported (which names the option). On a failure, channels already built are
 * disposed.
 */
export async function loadNotifiers(specs: readonly NotifySpec[]): Promise<Notifier[]> {
  const built: Notifier[] = [];
  try {
    for (const spec of specs) built.push(await loadNotifier(spec));
  } catch (error) {
    await disposeNotifiers(built);
    throw error;
  }
  return built;
}

/** Calls every notifier's `dispose`, ignoring failures: shutdown must go on. */
export async function disposeNotifiers(notifiers: readonly Notifier[]): Promise<void> {
  await Promise.allSettled(notifiers.map(async (notifier) => notifier.dispose?.()));
}

/** One line naming the channels for the start-up log, without secrets: `webhook (webhook), am (alertmanager)`. */
export function describeNotifiers(notifiers: readonly Notifier[]): string {
  return notifiers.map((n) => (n.name === n.type ? n.name : `${n.name} (${n.type})`)).join(", ");
}

// --- Internal helpers ---

async function loadNotifier(spec: NotifySpec): Promise<Notifier> {
  // A Slack incoming-webhook URL is itself the credential.
  if (spec.type === "slack" && typeof spec.options.url === "string") registerCredential(spec.options.url);
  const { BUILT_IN_NOTIFIERS, createNotifier, isBuiltInNotifier } = await import("@operator/notify");
  let factory: (options: unknown) => unknown;
  if (isBuiltInNotifier(spec.type)) {
    factory = (options) => createNotifier(spec.type, options);
  } else {
    try {
      factory = await loadSubjectFactory(spec.type, spec.resolveFrom, spec.origin);
    } catch (error) {
      const builtIn = Object.keys(BUILT_IN_NOTIFIERS).join(", ");
      const message = (error as Error).message
        .replace(/^\[operator\]\s*/, "")
        .replaceAll("subject", "notifier");
      throw new ConfigError(`${message} (built-in types: ${builtIn})`, { cause: error });
    }
  }
  let notifier: unknown;
  try {
    notifier = factory(spec.options);
  } catch (error) {
    const message = isOperatorError(error)
      ? error.message.replace(/^\[operator\]\s*/, "")
      : ((error as Error)?.message ?? String(error));
    throw new ConfigError(`${spec.origin} (${spec.type}): ${message}`, { cause: error });
  }
  const problem = _notifierProblem(notifier);
  if (problem !== null) {
    throw new ConfigError(`${spec.origin}: ${spec.type} did not return a notifier (${problem})`);
  }
  const result = notifier as Notifier;
  if (result.name !== spec.name) {
    throw new ConfigError(
      `${spec.origin}: ${spec.type} named its channel "${result.name}", not "${spec.name}" (set "name")`,
    );
  }
  return result;
}

function _notifierProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return `got ${value === null ? "null" : typeof value}`;
  const notifier = value as Partial<Notifier>;
  if (typeof notifier.name !== "string" || notifier.name === "") return "no name";
  if (typeof notifier.type !== "string") return "no type";
  if (typeof notifier.deliver !== "function") return "no deliver() function";
  return null;
}
