import { type ChildProcess, fork } from "node:child_process";

/** A request sent to a worker process. */
interface Request {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

/** A worker's answer to one request. */
type Response =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string };

/** Handlers a worker serves, by method name. */
export type Handlers = Record<string, (params: never) => unknown>;

/** A running worker process: call its handlers, then close it. */
export interface Worker<H extends Handlers> {
  readonly pid: number;
  call<M extends keyof H & string>(
    method: M,
    ...params: Parameters<H[M]> extends [] ? [] : Parameters<H[M]>
  ): Promise<Awaited<ReturnType<H[M]>>>;
  /** Asks the worker to exit (SIGTERM), then kills it if it has not after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts `file` (a TypeScript module that calls {@link serve}) as a separate Node process with the
 * same loader flags as this one, so its CPU time and memory are not counted in ours; `args` are its
 * command-line arguments. With `plainNode` the file is JavaScript run without the TypeScript loader.
 */
export function startWorker<H extends Handlers>(
  file: URL,
  options: {
    readonly nodeFlags?: readonly string[];
    readonly args?: readonly string[];
    readonly plainNode?: boolean;
  } = {},
): Worker<H> {
  const loader = options.plainNode ? [] : process.execArgv;
  const child: ChildProcess = fork(file.pathname, [...(options.args ?? [])], {
    execArgv: [...loader, ...(options.nodeFlags ?? [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.on("message", (message: Response) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if ("error" in message) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  child.once("exit", (code, signal) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`[operator] [bench] worker ${file.pathname} exited (${code ?? signal})`));
    }
    pending.clear();
  });
  return {
    pid: child.pid ?? -1,
    call(method, ...params) {
      const id = nextId++;
      const request: Request = { id, method, params: params[0] };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send(request);
      });
    },
    async close(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Serves `handlers` to the parent process over IPC. `onExit` runs on SIGTERM or when the parent goes
 * away, before the process exits.
 */
export function serve(handlers: Handlers, onExit: () => Promise<void>): void {
  let exiting = false;
  const exit = async (): Promise<void> => {
    if (exiting) return;
    exiting = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await onExit();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGTERM", () => void exit());
  process.on("disconnect", () => void exit());
  process.on("message", async (request: Request) => {
    const handler = handlers[request.method];
    let response: Response;
    try {
      if (!handler) throw new Error(`unknown method ${request.method}`);
      response = { id: request.id, result: await handler(request.params as never) };
    } catch (error) {
      response = {
        id: request.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    process.send?.(response);
  });
}
