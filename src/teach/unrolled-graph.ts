// The RNN unrolled over τ steps as an SVG drawing, like the book's Fig. 10.3 (chapters 1 and 3), optionally with the
// nodes whose gradients the backward pass knows after step t highlighted. Shown by display.ts's showSvg().

export interface GraphOptions {
  /** Highlight the backward pass at step t: nodes whose gradients are known (steps ≥ t) are coloured. */
  backwardAt?: number;
  /** Show h(0) at the left. Default true. */
  showH0?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The RNN unrolled over T steps: x(t) → h(t) → o(t) → L(t) ← y(t), h(t−1) → h(t) through W. Returns an SVG string. */
export function unrolledGraphSvg(T: number, o: GraphOptions = {}): string {
  const colW = 120;
  const left = o.showH0 === false ? 30 : 130;
  const width = left + T * colW + 20;
  const height = 430;
  const yOf = { L: 50, y: 50, o: 150, h: 260, x: 370 };
  const parts: string[] = [];
  const known = (t: number): boolean => o.backwardAt !== undefined && t >= o.backwardAt;
  const node = (cx: number, cy: number, label: string, fill: string, highlight = false): void => {
    parts.push(
      `<circle cx="${cx}" cy="${cy}" r="24" fill="${highlight ? '#fdd49e' : fill}" ` +
        `stroke="${highlight ? '#d94801' : '#333'}" stroke-width="${highlight ? 3 : 1.5}"/>`,
    );
    parts.push(
      `<text x="${cx}" y="${cy + 5}" text-anchor="middle" font-size="15" font-family="serif" ` +
        `font-style="italic">${esc(label)}</text>`,
    );
  };
  const edge = (x1: number, y1: number, x2: number, y2: number, label: string, lx = 0, ly = 0): void => {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const d = Math.hypot(dx, dy);
    const [ux, uy] = [dx / d, dy / d];
    parts.push(
      `<line x1="${x1 + ux * 25}" y1="${y1 + uy * 25}" x2="${x2 - ux * 27}" y2="${y2 - uy * 27}" stroke="#333" ` +
        `stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    if (label)
      parts.push(
        `<text x="${(x1 + x2) / 2 + lx}" y="${(y1 + y2) / 2 + ly}" font-size="14" font-family="serif" ` +
          `font-weight="bold" fill="#08519c">${esc(label)}</text>`,
      );
  };
  parts.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ` +
      `orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>`,
  );
  if (o.showH0 !== false) {
    node(60, yOf.h, 'h(0)', '#eeeeee', known(1));
    edge(60, yOf.h, left + colW / 2 - 22, yOf.h, 'W', -6, -8);
  }
  for (let t = 1; t <= T; t++) {
    const cx = left + (t - 1) * colW + colW / 2;
    node(cx - 22, yOf.L, `L(${t})`, '#f4cccc', known(t));
    node(cx + 32, yOf.y - 0, `y(${t})`, '#ffffff');
    node(cx - 22, yOf.o, `o(${t})`, '#d9ead3', known(t));
    node(cx - 22, yOf.h, `h(${t})`, '#cfe2f3', known(t));
    node(cx - 22, yOf.x, `x(${t})`, '#ffffff');
    edge(cx - 22, yOf.x, cx - 22, yOf.h, 'U', 6, 4);
    edge(cx - 22, yOf.h, cx - 22, yOf.o, 'V', 6, 4);
    edge(cx - 22, yOf.o, cx - 22, yOf.L, '', 0, 0);
    edge(cx + 32, yOf.y, cx - 22, yOf.L, '', 0, 0);
    if (t < T) edge(cx - 22, yOf.h, cx - 22 + colW, yOf.h, 'W', -6, -8);
  }
  const caption =
    o.backwardAt === undefined
      ? `The RNN unrolled over τ = ${T} steps (Deep Learning, Fig. 10.3): the same U, V, W at every step.`
      : `Backward pass after step t = ${o.backwardAt}: gradients known at the highlighted nodes (steps ≥ ` +
        `${o.backwardAt}).`;
  parts.push(
    `<text x="10" y="${height - 12}" font-size="13" font-family="sans-serif" fill="#444">${esc(caption)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="bpttlab-graph" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(caption)}">${parts.join('')}</svg>`
  );
}
