import { isOperatorError } from "@operator/core";

/** The media type of an error answer (RFC 9457). */
export const PROBLEM_TYPE = "application/problem+json";

/** An error answer as RFC 9457 "problem details". */
export interface Problem {
  /** A URI naming the kind of problem (relative to the API: `/problems/<slug>`). */
  readonly type: string;
  /** A short, fixed summary of the kind of problem. */
  readonly title: string;
  readonly status: number;
  /** What went wrong this time, in the CLI's words. */
  readonly detail: string;
  /** The request field at fault (query parameter, body field or path parameter), for 400s. */
  readonly field?: string;
}

/** An error a route throws to answer with a {@link Problem}. */
export class HttpProblem extends Error {
  override name = "HttpProblem";
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;

  constructor(problem: Problem, headers: Readonly<Record<string, string>> = {}) {
    super(problem.detail);
    this.problem = problem;
    this.headers = headers;
  }
}

const TITLES: Readonly<Record<number, readonly [slug: string, title: string]>> = {
  400: ["invalid-request", "Invalid request"],
  401: ["unauthorized", "Missing or invalid token"],
  403: ["forbidden", "Forbidden"],
  404: ["not-found", "Not found"],
  405: ["method-not-allowed", "Method not allowed"],
  409: ["refused-transition", "Refused transition"],
  413: ["too-large", "Request body too large"],
  415: ["unsupported-media-type", "Unsupported media type"],
  500: ["internal", "Internal error"],
  503: ["unavailable", "Service unavailable"],
};

/** A {@link Problem} with the standard type and title of `status`. */
export function problem(status: number, detail: string, field?: string): Problem {
  const [slug, title] = TITLES[status] ?? ["error", "Error"];
  return { type: `/problems/${slug}`, title, status, detail, ...(field !== undefined ? { field } : {}) };
}

/** Throws a 400 problem naming `field`. */
export function badRequest(field: string, detail: string): never {
  throw new HttpProblem(problem(400, detail, field));
}

/** An operator error's message without the `[operator] ` prefix the CLI prints. */
export function plainMessage(error: Error): string {
  return error.message.replace(/^\[operator\] /, "");
}

/**
 * The problem for an error thrown while serving: a route's {@link HttpProblem} as is; operator errors
 * by category (refused: 404 for an unknown ticket, 409 for a refused transition; config and usage:
 * 400; database: 503); anything else a 500 that tells nothing of the internals.
 */
export function problemFor(error: unknown): { problem: Problem; headers: Readonly<Record<string, string>> } {
  if (error instanceof HttpProblem) return { problem: error.problem, headers: error.headers };
  if (isOperatorError(error)) {
    const detail = plainMessage(error);
    if (error.name === "TicketNotFoundError") return { problem: problem(404, detail), headers: {} };
    switch (error.category) {
      case "refused":
        return { problem: problem(409, detail), headers: {} };
      case "config":
      case "usage":
        return { problem: problem(400, detail), headers: {} };
      case "database":
        return { problem: problem(503, `The ticket database cannot be used: ${detail}`), headers: {} };
      default:
        break;
    }
  }
  return { problem: problem(500, "Internal error: see the server's log"), headers: {} };
}

/** The body and headers of a problem answer. */
export function problemResponse(p: Problem, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { "content-type": PROBLEM_TYPE, ...headers },
  });
}
