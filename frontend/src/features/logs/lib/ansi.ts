/** ANSI SGR colour codes → styled segments for the terminal view (anything else is dropped). */

export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
}

const PALETTE = [
  "#4b5563",
  "#ef4444",
  "#22c55e",
  "#eab308",
  "#3b82f6",
  "#d946ef",
  "#06b6d4",
  "#e5e7eb",
];
const BRIGHT = [
  "#9ca3af",
  "#f87171",
  "#4ade80",
  "#facc15",
  "#60a5fa",
  "#e879f9",
  "#22d3ee",
  "#ffffff",
];
// CSI sequences (colours and anything else, such as cursor moves) and OSC titles.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI codes start with ESC
const ESCAPES = /\u001b\[([0-9;?]*)([A-Za-z])|\u001b\][^\u0007]*\u0007/g;

export function parseAnsi(line: string): Segment[] {
  if (!line.includes("\u001b")) return [{ text: line }];
  const out: Segment[] = [];
  let color: string | undefined;
  let bold = false;
  let last = 0;
  for (const match of line.matchAll(ESCAPES)) {
    const index = match.index ?? 0;
    if (index > last) out.push({ text: line.slice(last, index), color, bold });
    last = index + match[0].length;
    if (match[2] !== "m") continue;
    const codes = (match[1] || "0").split(";").map((code) => Number.parseInt(code || "0", 10));
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code === 0) {
        color = undefined;
        bold = false;
      } else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code >= 30 && code <= 37) color = PALETTE[code - 30];
      else if (code >= 90 && code <= 97) color = BRIGHT[code - 90];
      else if (code === 39) color = undefined;
      else if (code === 38 && codes[i + 1] === 5)
        i += 2; // 256-colour: keep the default
      else if (code === 38 && codes[i + 1] === 2) i += 4; // true colour: keep the default
    }
  }
  if (last < line.length) out.push({ text: line.slice(last), color, bold });
  return out.filter((segment) => segment.text.length > 0);
}
