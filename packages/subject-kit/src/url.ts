import { ConfigError } from "@operator/core";

/**
 * Why `value` is not a usable base URL for `option`, or undefined when it is: it must parse, be
 * `http://` or `https://`, carry no credentials (`credentialsHint` says where they go instead), no
 * query string and no fragment. The message never echoes a value that may hold credentials.
 */
export function urlProblem(
  value: unknown,
  option: string,
  credentialsHint = "`headers`",
): string | undefined {
  if (typeof value !== "string") return `Option \`${option}\` must be a URL string`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const shown = value.includes("@") ? "" : ` "${value.slice(0, 200)}"`;
    return `Option \`${option}\` is not a valid URL${shown}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `Option \`${option}\` must be an http:// or https:// URL`;
  }
  if (url.username !== "" || url.password !== "") {
    return `Option \`${option}\` must not contain credentials; use ${credentialsHint}`;
  }
  if (url.search !== "" || url.hash !== "")
    return `Option \`${option}\` must not have a query string or fragment`;
  return undefined;
}

/**
 * Checks a base URL option (see {@link urlProblem}) and returns it without a trailing slash; a bad
 * one is a `ConfigError` starting with `prefix`.
 */
export function checkBaseUrl(
  value: unknown,
  option: string,
  prefix: string,
  credentialsHint?: string,
): string {
  const problem = urlProblem(value, option, credentialsHint);
  if (problem) throw new ConfigError(`${prefix} ${problem}`);
  return (value as string).replace(/\/+$/, "");
}

/** `url` without `user:password@`, and without a trailing slash. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/+$/, "");
  } catch {
    return url;
  }
}
