import { describe, expect, it } from "vitest";
import * as testing from "../src/testing/index.ts";
import { type ReceivedEvent, SseParser } from "../src/testing/index.ts";

function parse(chunks: readonly string[]): { events: ReceivedEvent[]; comments: string[] } {
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    (event) => events.push(event),
    (comment) => comments.push(comment),
  );
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments };
}

describe("SseParser", () => {
  it("reads id, event and data, and dispatches on a blank line", () => {
    expect(parse(['id: 7\nevent: ticket\ndata: {"a":1}\n\n']).events).toEqual([
      { id: "7", event: "ticket", data: '{"a":1}' },
    ]);
  });

  it("joins data lines, takes `field:value` without a space, and keeps a second space", () => {
    expect(parse(["data:one\ndata:  two\n\n"]).events).toEqual([
      { id: undefined, event: undefined, data: "one\n two" },
    ]);
  });

  it("accepts CRLF and CR line ends, also when a CRLF is split across chunks", () => {
    const { events } = parse(["id: 1\r\ndata: a\r", "\n\r", "\nid: 2\rdata: b\r\r\n"]);
    expect(events).toEqual([
      { id: "1", event: undefined, data: "a" },
      { id: "2", event: undefined, data: "b" },
    ]);
  });

  it("waits for the rest of a line split across chunks, and for the blank line", () => {
    const events: ReceivedEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    parser.push("da");
    parser.push("ta: hel");
    parser.push("lo\n");
    expect(events).toEqual([]);
    parser.push("\n");
    expect(events).toEqual([{ id: undefined, event: undefined, data: "hello" }]);
  });

  it("reports comments, drops an event without data, and gives each event only its own id", () => {
    const { events, comments } = parse([": keep-alive\n\nid: 3\nevent: x\n\ndata: d\n\n"]);
    expect(comments).toEqual(["keep-alive"]);
    expect(events).toEqual([{ id: undefined, event: undefined, data: "d" }]);
  });
});

it("@operator/http/testing exposes exactly its test helpers", () => {
  expect(Object.keys(testing).sort()).toEqual(["SseParser", "connectSse"]);
});
