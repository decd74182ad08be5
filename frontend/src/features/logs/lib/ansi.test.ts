import { describe, expect, it } from "vitest";
import { parseAnsi } from "./ansi";

describe("parseAnsi", () => {
  it("passes plain text through", () => {
    expect(parseAnsi("hello")).toEqual([{ text: "hello" }]);
  });

  it("colours text between codes and resets", () => {
    const segments = parseAnsi("\u001b[31mred\u001b[0m plain \u001b[1;92mbold green\u001b[39m");
    expect(segments.map((s) => [s.text, s.color ?? null, s.bold])).toEqual([
      ["red", "#ef4444", false],
      [" plain ", null, false],
      ["bold green", "#4ade80", true],
    ]);
  });

  it("drops cursor moves and 256-colour codes without losing text", () => {
    expect(
      parseAnsi("\u001b[2Ka\u001b[38;5;200mb")
        .map((s) => s.text)
        .join(""),
    ).toBe("ab");
  });
});
