import { describe, expect, it } from "vitest";
import { MAX_EVENT_CHARS, SseParser } from "../page/sse-parser.ts";

describe("SseParser", () => {
  it("reads events with id, type and multi-line data, skipping comments", () => {
    const parser = new SseParser();
    const events = parser.feed(
      ': keepalive\n\nid: 7\nevent: ticket\ndata: {"a":\ndata: 1}\n\nretry: 2500\n\n',
    );
    expect(events).toEqual([{ id: "7", event: "ticket", data: '{"a":\n1}', retry: undefined }]);
  });

  it("gives the same events however the text is split, with CRLF, CR or LF line ends", () => {
    const text = "id: 1\r\nevent: ticket\r\ndata: x\r\n\r\nid: 2\rdata: y\r\rid: 3\ndata: z\n\n";
    const whole = new SseParser().feed(text);
    expect(whole.map((e) => [e.id, e.data])).toEqual([
      ["1", "x"],
      ["2", "y"],
      ["3", "z"],
    ]);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
      expect(events).toEqual(whole);
    }
  });

  it("keeps an unfinished event until its blank line arrives", () => {
    const parser = new SseParser();
    expect(parser.feed("id: 5\ndata: part")).toEqual([]);
    expect(parser.feed("ial\n")).toEqual([]);
    expect(parser.feed("\n")).toEqual([{ id: "5", event: "message", data: "partial", retry: undefined }]);
  });

  it("drops an event larger than the cap and goes on with the next", () => {
    const parser = new SseParser();
    const huge = `data: ${"x".repeat(MAX_EVENT_CHARS + 10)}\n`;
    expect(parser.feed(huge)).toEqual([]);
    expect(parser.feed("\nid: 9\ndata: ok\n\n")).toEqual([
      { id: "9", event: "message", data: "ok", retry: undefined },
    ]);
  });
});
