import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One certificate and its key, as PEM text and as files. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Certificates for TLS tests, made with the `openssl` CLI in a temp directory: a CA, a server
 * certificate for `127.0.0.1`/`localhost` and a client certificate signed by it, and a second,
 * unrelated CA with its own client certificate (the wrong certificate). ECDSA P-256, valid two days.
 */
export interface TestCertificates {
  readonly dir: string;
  /** The CA's certificate (PEM) and its file. */
  readonly ca: string;
  readonly caFile: string;
  /** Server certificate for IP 127.0.0.1 and DNS localhost (also usable as a peer certificate). */
  readonly server: CertificatePair;
  /** Client certificate (CN `operator`) signed by the CA. */
  readonly client: CertificatePair;
  /** Another CA's certificate: trusting it instead of the real CA fails verification. */
  readonly otherCa: string;
  readonly otherCaFile: string;
  /** A client certificate signed by the other CA: a server trusting only the real CA refuses it. */
  readonly otherClient: CertificatePair;
  /** Removes the directory. */
  remove(): void;
}

/** Creates {@link TestCertificates}; throws when `openssl` is missing. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "operator-certs-"));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const makeCa = (name: string) => {
    openssl(
      "req",
      "-x509",
      ...curve,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  };
  let serial = 1;
  const makeLeaf = (name: string, ca: string, cn: string, extensions: string): CertificatePair => {
    serial += 1;
    writeFileSync(path(`${name}.ext`), extensions);
    openssl("req", ...curve, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}.key`,
      "-set_serial",
      String(serial),
      "-days",
      "2",
      "-out",
      `${name}.pem`,
      "-extfile",
      `${name}.ext`,
    );
    return {
      cert: readFileSync(path(`${name}.pem`), "utf8"),
      key: readFileSync(path(`${name}.key`), "utf8"),
      certFile: path(`${name}.pem`),
      keyFile: path(`${name}.key`),
    };
  };
  makeCa("ca");
  makeCa("other-ca");
  const server = makeLeaf(
    "server",
    "ca",
    "localhost",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  const client = makeLeaf("client", "ca", "operator", "extendedKeyUsage=clientAuth\n");
  const otherClient = makeLeaf("other-client", "other-ca", "operator", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    ca: readFileSync(path("ca.pem"), "utf8"),
    caFile: path("ca.pem"),
    server,
    client,
    otherCa: readFileSync(path("other-ca.pem"), "utf8"),
    otherCaFile: path("other-ca.pem"),
    otherClient,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
