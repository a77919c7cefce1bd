import { describe, expect, it } from "vitest";
import { classifyError } from "../src/errors.ts";
import { EXIT } from "../src/exit-codes.ts";
import { createLogger } from "../src/logger.ts";
import { type Column, palette, renderTable, shouldColor } from "../src/output.ts";
import { redact, registerSecret } from "../src/redact.ts";

const versions = { operator: "1.2.3", node: "v20", platform: "linux x64" };

describe("renderTable", () => {
  const rows = [
    { id: 7, name: "store_down", note: "Store 4 is Down" },
    { id: 12, name: "low_disk_space", note: "Store 1 has 3% free" },
  ];
  type Row = (typeof rows)[number];
  const columns: Column<Row>[] = [
    { header: "ID", cell: (r) => String(r.id), align: "right" },
    { header: "NAME", cell: (r) => r.name },
    { header: "NOTE", cell: (r) => r.note },
  ];

  it("aligns columns and right-aligns numbers", () => {
    expect(renderTable(rows, columns, { palette: palette(false) })).toBe(
      [
        "ID  NAME            NOTE",
        " 7  store_down      Store 4 is Down",
        "12  low_disk_space  Store 1 has 3% free",
        "",
      ].join("\n"),
    );
  });

  it("cuts the last column to the terminal width", () => {
    const lines = renderTable(rows, columns, { palette: palette(false), width: 30 }).split("\n");
    expect(lines[2]).toBe("12  low_disk_space  Store 1 h…");
  });

  it("keeps widths right when colour escapes are added", () => {
    const red = palette(true).red;
    const colored = renderTable(
      rows,
      [{ ...(columns[0] as Column<Row>), style: red }, columns[1] as Column<Row>],
      {
        palette: palette(true),
      },
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes on purpose
    const plain = colored.replace(/\u001b\[\d+m/g, "");
    expect(plain.split("\n")[1]).toBe(" 7  store_down");
    expect(colored).toContain("\u001b[31m 7\u001b[39m");
  });
});

describe("shouldColor", () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true, isTTY: false };
  it("colours a terminal, not a pipe", () => {
    expect(shouldColor(tty, {})).toBe(true);
    expect(shouldColor(pipe, {})).toBe(false);
  });
  it("honours NO_COLOR over everything, and --no-color", () => {
    expect(shouldColor(tty, { NO_COLOR: "1" })).toBe(false);
    expect(shouldColor(tty, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(shouldColor(tty, {}, true)).toBe(false);
    expect(shouldColor(tty, { NO_COLOR: "" })).toBe(true);
  });
  it("FORCE_COLOR colours a pipe", () => {
    expect(shouldColor(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(shouldColor(pipe, { FORCE_COLOR: "0" })).toBe(false);
  });
});

describe("loggers", () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, stream: { write: (chunk: string) => lines.push(chunk) } };
  };

  it("text lines carry time, level and message; fields are for JSON only", () => {
    const { lines, stream } = capture();
    createLogger("text", stream, () => Date.UTC(2026, 0, 2, 3, 4, 5)).warn("Check complete: 3 invariants", {
      subject: "prod tikv",
      count: 2,
    });
    expect(lines).toEqual(["2026-01-02T03:04:05.000Z warn  Check complete: 3 invariants\n"]);
  });

  it("json lines are one object per line", () => {
    const { lines, stream } = capture();
    createLogger("json", stream, () => 0).info("hello", { n: 1 });
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      level: "info",
      msg: "hello",
      n: 1,
    });
  });

  it("redact registered secrets and URL passwords in every line", () => {
    registerSecret("s3cr3t-token-value");
    const { lines, stream } = capture();
    const logger = createLogger("json", stream);
    logger.error("auth failed with s3cr3t-token-value", { url: "http://alice:hunter22@prom:9090/api" });
    expect(lines.join("")).not.toContain("s3cr3t-token-value");
    expect(lines.join("")).not.toContain("hunter22");
    expect(redact("http://alice:hunter22@prom:9090")).toBe("http://alice:[redacted]@prom:9090");
  });
});

describe("classifyError", () => {
  it("gives an unexpected error the internal exit code, versions, and the stack only when verbose", () => {
    const quiet = classifyError(new TypeError("x is undefined"), versions, false);
    expect(quiet.code).toBe(EXIT.internal);
    expect(quiet.lines[0]).toBe("operator: internal error, please report it: x is undefined");
    expect(quiet.lines.join("\n")).toContain("operator 1.2.3, node v20");
    expect(quiet.lines.join("\n")).not.toContain("at ");
    const verbose = classifyError(new TypeError("x is undefined"), versions, true);
    expect(verbose.lines.join("\n")).toMatch(/TypeError: x is undefined\n\s+at /);
  });
});
