// Where each equation of Deep Learning §10.2.2 lives: the one list the README's table and the library's
// documentation are made from. A test checks that every function named here exists where it is said to be.

export interface EquationEntry {
  /** The book's number(s), e.g. "10.25–10.26"; "—" for a quantity the book does not number. */
  readonly book: string;
  readonly quantity: string;
  /** The fast engine's function(s): forward and backward pairs in src/model/engine.ts, the losses in losses.ts. */
  readonly engine: readonly { readonly file: 'engine.ts' | 'losses.ts'; readonly fn: string; readonly note?: string }[];
  /** The mathjs reference's function(s), exported from src/model/reference.ts. */
  readonly reference: readonly string[];
}

export const EQUATIONS: readonly EquationEntry[] = [
  {
    book: '10.8',
    quantity: 'a(t) = b + W h(t−1) + U x(t)',
    engine: [
      { file: 'engine.ts', fn: 'inputForward', note: 'b + U x(t)' },
      { file: 'engine.ts', fn: 'recurrenceForward', note: '+ W h(t−1)' },
    ],
    reference: ['eq10_8_a'],
  },
  {
    book: '10.9',
    quantity: 'h(t) = tanh(a(t))',
    engine: [{ file: 'engine.ts', fn: 'recurrenceForward' }],
    reference: ['eq10_9_h'],
  },
  {
    book: '10.10',
    quantity: 'o(t) = c + V h(t)',
    engine: [{ file: 'engine.ts', fn: 'outputForward' }],
    reference: ['eq10_10_o'],
  },
  {
    book: '10.11',
    quantity: 'ŷ(t) = softmax(o(t))',
    engine: [{ file: 'losses.ts', fn: 'softmaxCEForward' }],
    reference: ['eq10_11_yhat'],
  },
  {
    book: '10.12–10.14',
    quantity: 'L = Σ_t L(t)',
    engine: [
      { file: 'losses.ts', fn: 'softmaxCEForward' },
      { file: 'losses.ts', fn: 'squaredForward' },
    ],
    reference: ['lossCE', 'lossSquared'],
  },
  {
    book: '10.17–10.18',
    quantity: '∇o(t) L = ŷ(t) − 1_y(t)',
    engine: [
      { file: 'losses.ts', fn: 'softmaxCEBackward' },
      { file: 'losses.ts', fn: 'squaredBackward', note: 'o − y' },
    ],
    reference: ['eq10_18_dO', 'dOSquared'],
  },
  {
    book: '10.19',
    quantity: '∇h(τ) L = Vᵀ ∇o(τ) L',
    engine: [
      { file: 'engine.ts', fn: 'outputBackward', note: 'Vᵀ ∇o(t) L' },
      { file: 'engine.ts', fn: 'recurrenceBackward', note: 'the start' },
    ],
    reference: ['eq10_19_dhLast'],
  },
  {
    book: '10.20–10.21',
    quantity: '∇h(t) L = Wᵀ H(t+1) ∇h(t+1) L + Vᵀ ∇o(t) L',
    engine: [{ file: 'engine.ts', fn: 'recurrenceBackward' }],
    reference: ['eq10_21_dh', 'tanhJacobian'],
  },
  {
    book: '10.22',
    quantity: '∇c L = Σ_t ∇o(t) L',
    engine: [{ file: 'engine.ts', fn: 'outputBackward' }],
    reference: ['eq10_22_dc'],
  },
  {
    book: '10.23',
    quantity: '∇b L = Σ_t H(t) ∇h(t) L',
    engine: [{ file: 'engine.ts', fn: 'inputBackward' }],
    reference: ['eq10_23_db'],
  },
  {
    book: '10.24',
    quantity: '∇V L = Σ_t ∇o(t) L h(t)ᵀ',
    engine: [{ file: 'engine.ts', fn: 'outputBackward' }],
    reference: ['eq10_24_dV'],
  },
  {
    book: '10.25–10.26',
    quantity: '∇W L = Σ_t H(t) ∇h(t) L h(t−1)ᵀ',
    engine: [{ file: 'engine.ts', fn: 'recurrenceWeightGrad' }],
    reference: ['eq10_26_dW'],
  },
  {
    book: '10.27–10.28',
    quantity: '∇U L = Σ_t H(t) ∇h(t) L x(t)ᵀ',
    engine: [{ file: 'engine.ts', fn: 'inputBackward' }],
    reference: ['eq10_28_dU'],
  },
  {
    book: '—',
    quantity: '∇h(0) L = Wᵀ H(1) ∇h(1) L',
    engine: [{ file: 'engine.ts', fn: 'recurrenceBackward', note: 'dh0' }],
    reference: ['dh0'],
  },
  { book: '—', quantity: 'tanh′ = 1 − tanh², symbolically', engine: [], reference: ['tanhDerivativeCheck'] },
];

/** The list as the README's Markdown table. */
export function equationTable(): string {
  const code = (s: string) => `\`${s}\``;
  const lines = EQUATIONS.map((e) => {
    const engine =
      e.engine.length === 0 ? '—' : e.engine.map((f) => `${code(f.fn)}${f.note ? ` (${f.note})` : ''}`).join(', ');
    return `| ${e.book} | ${e.quantity} | ${engine} | ${e.reference.map(code).join(', ')} |`;
  });
  return [
    '| book | quantity | fast engine (`src/model/engine.ts`, `losses.ts`) | mathjs reference ' +
      '(`src/model/reference.ts`) |',
    '|---|---|---|---|',
    ...lines,
  ].join('\n');
}
