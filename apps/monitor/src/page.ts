/**
 * The page the HTTP API serves at `/` (the directory of its built assets), or undefined while none
 * is built into the CLI: then `/` answers 404 and the API works alone. The daemon and `operator
 * serve` both take it from here.
 */
export async function pageOption(): Promise<{ readonly dir: string } | undefined> {
  return undefined;
}
