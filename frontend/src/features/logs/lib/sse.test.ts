import { describe, expect, it } from "vitest";
import { parseSse } from "./sse";

describe("parseSse", () => {
  it("reads id and data, skips keep-alive comments, keeps an incomplete tail", () => {
    const { messages, rest } = parseSse(
      ': keep-alive\n\nid: 7\ndata: {"a":1}\n\nid: 8\ndata: {"a"',
    );
    expect(messages).toEqual([{ id: "7", event: "message", data: '{"a":1}' }]);
    expect(rest).toBe('id: 8\ndata: {"a"');
  });

  it("joins multi-line data and handles CRLF", () => {
    const { messages } = parseSse("event: log\r\ndata: one\r\ndata: two\r\n\r\n");
    expect(messages).toEqual([{ id: null, event: "log", data: "one\ntwo" }]);
  });
});
