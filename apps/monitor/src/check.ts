import type { CycleReport, TicketStore } from "@operator/core";
import { createMemoryTicketStore, createMonitor, formatDuration, MAX_DURATION_MS } from "@operator/core";
import { severityStyle } from "./commands/tickets-print.ts";
import type { CommandContext } from "./context.ts";
import { escapeText } from "./escape.ts";
import { EXIT, ExitError } from "./exit-codes.ts";
import type { CliLogger } from "./logger.ts";
import { openStore } from "./open-store.ts";
import { isoTime, palette, renderTable, shouldColor, ticketToJson, toJsonText } from "./output.ts";
import type { RunSettings } from "./settings.ts";
import { disposeSubjects, loadSubjects } from "./subjects.ts";

type Finding = CycleReport["findings"][number];

/**
 * Runs one cycle and prints its findings; throws an {@link ExitError} with 1 on violations and 3 when
 * nothing is violated but something could not be read.
 */
export async function runCheck(
  ctx: CommandContext,
  settings: RunSettings,
  logger: CliLogger,
  json: boolean,
): Promise<void> {
  const subjects = await loadSubjects(settings.subjects);
  const options = {
    subjects,
    ...(settings.deadlineMs !== undefined
      ? {
          deadlineMs: settings.deadlineMs,
          intervalMs: Math.min(MAX_DURATION_MS, Math.max(30_000, settings.deadlineMs + 1)),
        }
      : {}),
    ...(settings.unreachableAfter !== undefined ? { unreachableAfter: settings.unreachableAfter } : {}),
    ...(settings.flap !== undefined ? { flap: settings.flap } : {}),
    logger,
  };
  // Options core refuses fail here, before a database file is created.
  const memory = createMemoryTicketStore();
  const probe = createMonitor({ ...options, store: memory });
  const store: TicketStore & { close?: () => void | Promise<void> } =
    settings.dbPath === null ? memory : await openStore(settings.dbPath);
  let report: CycleReport;
  try {
    report = await (store === memory ? probe : createMonitor({ ...options, store })).runOnce();
  } finally {
    await disposeSubjects(subjects);
    await store.close?.();
  }
  const code = checkExitCode(report);
  if (json) ctx.stdout.write(toJsonText(checkToJson(report, code)));
  else printFindings(ctx, report);
  if (code !== EXIT.ok) throw new ExitError(code);
}

/** 1 when anything is violated, else 3 when anything is unknown or a subject failed, else 0. */
export function checkExitCode(report: CycleReport): 0 | 1 | 3 {
  if (report.violations > 0) return EXIT.failure;
  if (report.unknown > 0 || Object.keys(report.failures).length > 0) return EXIT.unknown;
  return EXIT.ok;
}

/** The stable JSON form of a check (documented in docs/cli.md). */
export function checkToJson(report: CycleReport, exitCode: number) {
  return {
    status: exitCode === EXIT.failure ? "violated" : exitCode === EXIT.unknown ? "unknown" : "ok",
    exitCode,
    cycleId: report.id,
    startedAt: isoTime(report.startedAt),
    durationMs: report.durationMs,
    invariants: report.invariants,
    violations: report.violations,
    unknown: report.unknown,
    failures: report.failures,
    findings: report.findings.map(findingToJson),
    opened: report.opened.map(ticketToJson),
    resolved: report.resolved.map(ticketToJson),
  };
}

/** One finding as JSON: `message` for violations, `reason` for unknown results (null otherwise). */
export function findingToJson(finding: Finding) {
  return {
    key: finding.key,
    subject: finding.subject,
    invariant: finding.invariant,
    entity: finding.entity,
    outcome: finding.outcome,
    severity: finding.severity,
    message: finding.outcome === "violated" ? finding.message : null,
    reason: finding.outcome === "unknown" ? finding.reason : null,
  };
}

function printFindings(ctx: CommandContext, report: CycleReport): void {
  const p = palette(shouldColor(ctx.stdout, ctx.env, ctx.noColor));
  const summary = `${report.invariants} invariant${report.invariants === 1 ? "" : "s"} checked in ${formatDuration(report.durationMs)}`;
  if (report.findings.length === 0 && Object.keys(report.failures).length === 0) {
    ctx.stdout.write(`${p.green("OK")}  ${summary}, all passing\n`);
    return;
  }
  const rows = report.findings.map(findingToJson);
  ctx.stdout.write(
    renderTable(
      rows,
      [
        {
          header: "OUTCOME",
          cell: (f) => f.outcome,
          style: (t, f) => (f.outcome === "violated" ? p.red(t) : p.yellow(t)),
        },
        { header: "SEVERITY", cell: (f) => f.severity, style: (t, f) => severityStyle(p, f.severity)(t) },
        { header: "KEY", cell: (f) => f.key ?? `${f.subject}/${f.invariant}/*` },
        { header: "DETAIL", cell: (f) => f.message ?? f.reason ?? "" },
      ],
      { palette: p, width: ctx.stdout.isTTY ? ctx.stdout.columns : undefined },
    ),
  );
  for (const [subject, reason] of Object.entries(report.failures)) {
    ctx.stdout.write(`${p.yellow("UNREADABLE")}  ${escapeText(subject)}: ${escapeText(reason)}\n`);
  }
  ctx.stdout.write(`${summary}: ${report.violations} violated, ${report.unknown} unknown\n`);
}
