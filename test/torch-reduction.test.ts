// Chapter 2 says which count PyTorch's reduction='mean' divides by. This runs PyTorch on that chapter's three cases
// and holds the statement to it: CrossEntropyLoss divides by the number of scored targets (not ignore_index), not
// by τ; MSELoss divides by τ·K and has no ½, so it returns 2L/(τK) for our L = Σ_t ½‖o(t) − y(t)‖².

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forward, initParams, toRows } from '../src';
import { close as agree } from '../src/model/agree';
import { runPython, skipWithoutTorch } from './torch';

const PY = `
import json, sys, torch
c = json.loads(sys.stdin.read())
F = torch.nn.functional
o = torch.tensor(c['o'], dtype=torch.float64)
ce = F.cross_entropy(o, torch.tensor(c['y']), reduction='mean').item()
ym = torch.tensor([-100 if v is None else v for v in c['yMasked']])
ceMasked = F.cross_entropy(o, ym, reduction='mean', ignore_index=-100).item()
oSq = torch.tensor(c['oSq'], dtype=torch.float64)
yReal = torch.tensor(c['yReal'], dtype=torch.float64)
mse = F.mse_loss(oSq, yReal, reduction='mean').item()
print(json.dumps({'ce': ce, 'ceMasked': ceMasked, 'mse': mse}))
`;

test("chapter 2's table: PyTorch's reduction='mean' divides by the scored targets (cross-entropy) and by τ·K (MSE)", {
  skip: skipWithoutTorch,
}, () => {
  const x = [0, 1, 2, 2]; // "hell"
  const y = [1, 2, 2, 3]; // "ello"
  const yMasked = [null, null, null, 3];
  const yReal = [
    [0.5, 0, 0, 0],
    [0, 0.5, 0, 0],
    [0, 0, 0.5, 0],
    [0, 0, 0, 0.5],
  ];
  const p = initParams({ inputSize: 4, hiddenSize: 3, outputSize: 4, seed: 7, biasStd: 0.1 });
  const fw = forward(p, x, y);
  const fwMasked = forward(p, x, yMasked);
  const fwSq = forward(p, x, yReal, { loss: 'squared' });
  const [T, K] = [4, 4];
  const stdout = runPython(['-c', PY], JSON.stringify({ o: toRows(fw.o), y, yMasked, oSq: toRows(fwSq.o), yReal }));
  const torch = JSON.parse(stdout) as { ce: number; ceMasked: number; mse: number };
  const close = (a: number, b: number, what: string) => assert.ok(agree(a, b, 1e-12), `${what}: ${a} vs ${b}`);
  close(torch.ce, fw.loss / T, 'every step scored: L / τ');
  close(torch.ceMasked, fwMasked.loss / 1, 'one scored step: L / 1');
  assert.ok(Math.abs(torch.ceMasked - fwMasked.loss / T) > 0.1, 'and not L / τ');
  close(torch.mse, (2 * fwSq.loss) / (T * K), 'MSE: 2L / (τK)');
});
