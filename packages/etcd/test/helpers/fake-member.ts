import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Answers one request by hand. */
export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A local HTTP server answering like one etcd 3.4 member; any route can be replaced. */
export interface FakeMember {
  readonly url: string;
  /** Every request received, as `METHOD path`, and its headers. */
  readonly requests: { readonly line: string; readonly headers: IncomingMessage["headers"] }[];
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/** The cluster id every fake member reports in its response headers. */
export const FAKE_CLUSTER_ID = "14841639068965178418";

/** Starts a {@link FakeMember} named `name`, a healthy leader of a one-member cluster. */
export async function startFakeMember(name = "n1", clusterId = FAKE_CLUSTER_ID): Promise<FakeMember> {
  const routes = new Map<string, Handler>();
  const requests: FakeMember["requests"] = [];
  const json =
    (body: unknown): Handler =>
    (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    requests.push({ line: `${request.method} ${path}`, headers: request.headers });
    request.resume();
    const handler = routes.get(path);
    if (handler) handler(request, response);
    else {
      response.writeHead(404);
      response.end("404 page not found\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const header = { cluster_id: clusterId, member_id: "1001", revision: "1", raft_term: "2" };
  routes.set("/health", json({ health: "true" }));
  routes.set("/metrics", (_request, response) => {
    response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    response.end(
      [
        "etcd_server_has_leader 1",
        "etcd_server_leader_changes_seen_total 1",
        "etcd_mvcc_db_total_size_in_bytes 20480",
        "etcd_server_quota_backend_bytes 2.147483648e+09",
        "",
      ].join("\n"),
    );
  });
  routes.set(
    "/v3/maintenance/status",
    json({ header, version: "3.4.23", dbSize: "20480", leader: "1001", raftTerm: "2" }),
  );
  routes.set("/v3/maintenance/alarm", json({ header }));
  routes.set(
    "/v3/cluster/member/list",
    json({ header, members: [{ ID: "1001", name, peerURLs: ["http://127.0.0.1:1"], clientURLs: [url] }] }),
  );
  return {
    url,
    requests,
    route: (path, handler) => routes.set(path, handler),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
