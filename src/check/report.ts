// The gradient check's report as a table (gradcheck.ts computes it): one row per parameter and per step, the
// verdict and why.
import type { Check, GradCheckReport } from './gradcheck';

// --- the report as a table ---

export const fmtE = (v: number): string => (v === 0 ? '0' : v.toExponential(2));
export const fmtN = (v: number): string =>
  (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4) || v === 0 ? v.toFixed(6) : v.toExponential(4);

function describe(c: Check, r: GradCheckReport): string {
  const where =
    c.worst === null
      ? ''
      : c.name === 'b' || c.name === 'c' || c.name === 'h0'
        ? `[${c.worst.row}]`
        : `[${c.worst.row},${c.worst.col}]`;
  const w = c.worst;
  const refined = c.step === r.step ? '' : `  [ε = ${c.step.toExponential(0)}]`;
  const worst =
    w === null ? '—' : `${c.name}${where}: ${fmtN(w.analytic)} vs ${fmtN(w.numeric)} (${fmtE(w.relError)})${refined}`;
  const mark = c.passedBy === 'ratio' ? 'ok  ' : c.passedBy === 'noise' ? 'ok~ ' : 'FAIL';
  return `${mark}  ${(c.t === null ? '' : String(c.t)).padStart(3)}  ${`∇${c.name}`.padEnd(6)} ${String(c.entries).padStart(6)}  ${fmtE(c.relError).padStart(9)}   ${worst}`;
}

/** A plain-text table: per parameter, then (if checked) the failing or worst per-step rows. */
export function formatReport(r: GradCheckReport, opts: { allSteps?: boolean } = {}): string {
  const head = `gradient check: ${r.lossName}, T = ${r.T}${
    r.truncate < r.T ? `, truncate = ` + `${r.truncate}` : ''
  }, L = ${fmtN(r.loss)}, ${r.stencil}-point central differences with ε = ${r.step}, pass when ‖a − n‖/(‖a‖ + ‖n‖) ≤ ${r.tol}`;
  const cols = 'pass    t  grad   entries  rel.err   worst entry: analytic vs numeric (per-entry rel.err)';
  const lines = [head, cols, ...r.params.map((c) => describe(c, r))];
  if (r.steps.length > 0) {
    const failing = r.steps.filter((c) => !c.pass);
    lines.push(
      '',
      `per step (the book's copies W(t), U(t), b(t), V(t), c(t)): ${r.steps.length - failing.length} of ` +
        `${r.steps.length} summands pass`,
    );
    const shown = opts.allSteps ? r.steps : failing.length > 0 ? failing : [];
    lines.push(...shown.map((c) => describe(c, r)));
  }
  if ([...r.params, ...r.steps].some((c) => c.passedBy === 'noise')) {
    lines.push(
      '',
      'ok~ = the ratio is above tol but ‖a − n‖ is within the rounding noise of the numeric gradient (a tiny gradient)',
    );
  }
  if (r.verdict === 'pass')
    lines.push('', r.why === null ? 'PASS: every gradient matches central differences' : `PASS: ${r.why}`);
  else if (r.verdict === 'fail')
    lines.push('', r.why === null ? 'FAIL: the rows marked FAIL disagree with central differences' : `FAIL: ${r.why}`);
  else lines.push('', `CANNOT JUDGE: ${r.why ?? 'the central differences carry no information'}`);
  return lines.join('\n');
}
