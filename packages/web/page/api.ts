import { capText } from "./parse.ts";
import type { TicketAction } from "./types.ts";

/** A failed API call: the HTTP status (0 when the server could not be reached) and the problem's words. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly field?: string,
  ) {
    super(detail || title);
  }

  /** The server wants a (valid) token. */
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

/** The largest response body the page reads (a guard against a runaway answer). */
const MAX_BODY_CHARS = 8 * 1024 * 1024;

/** Calls the API on this page's own origin and returns the parsed JSON body. */
export async function apiJson(
  path: string,
  options: { token: string | null; method?: "GET" | "POST"; body?: unknown; signal?: AbortSignal },
): Promise<unknown> {
  if (!path.startsWith("/api/v1/")) throw new Error(`Not an API path: ${path}`);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      credentials: "omit",
      cache: "no-store",
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "Cannot reach the server", "The operator server did not answer. Is it running?");
  }
  const text = await response.text();
  if (text.length > MAX_BODY_CHARS) throw new ApiError(response.status, "Answer too large", "");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) throw _problem(response.status, body);
  if (body === null) throw new ApiError(response.status, "Unreadable answer", "The server sent no JSON.");
  return body;
}

/** `POST /api/v1/tickets/{id}/{action}` with the person's name, comment and diagnosis. */
export function postAction(
  id: number,
  action: TicketAction,
  input: { by: string; comment: string; text: string },
  token: string | null,
): Promise<unknown> {
  const body: Record<string, string> = {};
  if (input.by.trim()) body.by = input.by.trim();
  if (input.comment.trim()) body.comment = input.comment.trim();
  if (action === "diagnose") body.text = input.text.trim();
  return apiJson(`/api/v1/tickets/${id}/${action}`, { method: "POST", body, token });
}

// --- Internal helpers ---

function _problem(status: number, body: unknown): ApiError {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === "string" ? capText(value, 500) : "");
  const title = text(record.title) || `HTTP ${status}`;
  const field = text(record.field);
  return new ApiError(status, title, text(record.detail), field || undefined);
}
