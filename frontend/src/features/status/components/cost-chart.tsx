/** Tokens (bars) and cumulative cost (line) per iteration, drawn as plain SVG. */

export interface IterationCost {
  iteration: number;
  input: number;
  output: number;
  cost_usd: number;
}

export function CostChart({ points }: { points: IterationCost[] }) {
  if (points.length === 0)
    return <p className="text-sm text-slate-500">No measured iterations yet.</p>;
  const width = 600;
  const height = 160;
  const pad = 24;
  const maxTokens = Math.max(...points.map((p) => p.input + p.output), 1);
  let running = 0;
  const cumulative = points.map((p) => (running += p.cost_usd));
  const maxCost = Math.max(running, 0.0001);
  const step = (width - pad * 2) / points.length;
  const line = cumulative
    .map(
      (cost, i) =>
        `${pad + step * i + step / 2},${height - pad - (cost / maxCost) * (height - pad * 2)}`,
    )
    .join(" ");
  return (
    <figure>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="w-full"
        role="img"
        aria-label="Tokens and cost per iteration"
      >
        {points.map((p, i) => {
          const h = ((p.input + p.output) / maxTokens) * (height - pad * 2);
          return (
            <rect
              key={p.iteration}
              x={pad + step * i + 2}
              y={height - pad - h}
              width={Math.max(1, step - 4)}
              height={h}
              className="fill-indigo-300 dark:fill-indigo-700"
            >
              <title>{`iteration ${p.iteration}: ${p.input + p.output} tokens, $${p.cost_usd.toFixed(4)}`}</title>
            </rect>
          );
        })}
        <polyline points={line} fill="none" strokeWidth={2} className="stroke-emerald-500" />
        <text
          x={pad}
          y={14}
          fontSize={10}
          className="fill-slate-500"
        >{`max ${maxTokens.toLocaleString()} tokens/iteration`}</text>
        <text
          x={width - pad}
          y={14}
          textAnchor="end"
          fontSize={10}
          className="fill-emerald-600"
        >{`total $${running.toFixed(2)}`}</text>
      </svg>
      <figcaption className="text-xs text-slate-500">
        Bars: tokens per iteration. Line: cumulative cost.
      </figcaption>
    </figure>
  );
}
