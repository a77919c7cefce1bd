import type { z } from "zod";
import { badRequest } from "./problem.ts";

/**
 * Parses `input` with `schema`, or throws a 400 problem naming the first field at fault with a
 * message in the CLI's words (unknown fields are named too).
 */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: "query parameter" | "field",
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) badRequest(what === "field" ? "body" : "query", "Invalid request");
  if (issue.code === "unrecognized_keys") {
    const key = String(issue.keys[0]);
    badRequest(key, `Unknown ${what} "${key.slice(0, 60)}"`);
  }
  const field =
    issue.path.length > 0 ? issue.path.map(String).join(".") : what === "field" ? "body" : "query";
  const message = issue.message;
  badRequest(
    field,
    message.startsWith("Invalid ") || message.startsWith(`${field}`) ? message : `${field}: ${message}`,
  );
}
