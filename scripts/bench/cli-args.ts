import { ConfigError } from "./deps.ts";

/** The sections, in the order they run. */
export const SECTION_IDS = [
  "cycle-cost",
  "memory",
  "store",
  "cli-start",
  "http",
  "detection",
  "notifications",
  "failover",
] as const;

/** One benchmark section's id. */
export type SectionId = (typeof SECTION_IDS)[number];

/** Parsed command line of `pnpm bench`. */
export interface BenchArgs {
  /** Smaller sizes and fewer runs: a smoke run in a couple of minutes, not publishable numbers. */
  readonly quick: boolean;
  /** Sections to run, in the standard order. */
  readonly only: readonly SectionId[];
  /** Where the report goes; `null` prints only. @default docs/benchmarks.md */
  readonly out: string | null;
  /** Cluster sizes of the cycle-cost section instead of the standard ones; `null` keeps them. */
  readonly stores: readonly number[] | null;
}

const USAGE = `Usage: pnpm bench [--quick] [--only <section>[,<section>...]] [--out <file> | --no-write]
                  [--stores <n>[,<n>...]]   (cycle-cost sizes, e.g. --stores 1000,5000)
Sections: ${SECTION_IDS.join(", ")}`;

/** Parses `argv` (without node and script); throws one clear error naming a bad argument. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs | "help" {
  let quick = false;
  let only: SectionId[] = [...SECTION_IDS];
  let out: string | null = "docs/benchmarks.md";
  let stores: number[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [flag, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--":
        break;
      case "--quick":
        quick = true;
        break;
      case "--only": {
        const wanted = value()
          .split(",")
          .map((s) => s.trim());
        for (const id of wanted) {
          if (!(SECTION_IDS as readonly string[]).includes(id))
            throw new UsageError(`unknown section '${id}'`);
        }
        only = SECTION_IDS.filter((id) => wanted.includes(id));
        break;
      }
      case "--out":
        out = value();
        break;
      case "--stores":
        stores = value()
          .split(",")
          .map((s) => {
            const n = Number(s.trim());
            if (!Number.isInteger(n) || n < 1 || n > 20_000)
              throw new UsageError(`--stores takes store counts from 1 to 20000, got '${s.trim()}'`);
            return n;
          });
        break;
      case "--no-write":
        out = null;
        break;
      case "--help":
      case "-h":
        return "help";
      default:
        throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  return { quick, only, out, stores };
}

/** A bad command line; the message says what was wrong, followed by the usage. */
export class UsageError extends ConfigError {
  override name = "UsageError";
  constructor(problem: string) {
    super(`[operator] [bench] ${problem}\n${USAGE}`);
  }
}

export { USAGE };
