// bpttlab: Backpropagation Through Time for a vanilla RNN, as Deep Learning §10.2.2 derives it.
//
//   import { initParams, forward, backward, gradCheck } from 'bpttlab';
//   const p = initParams({ inputSize: D, hiddenSize: H, outputSize: K, seed: 1 });
//   const fw = forward(p, tokens, targets, { loss: 'softmax-ce' }); // a, h, o, ŷ per step, and the loss
//   const g = backward(p, fw);                                      // dU, dW, dV, db, dc, dh0, and ∇o(t), ∇h(t) per step
//   const report = gradCheck(p, tokens, targets);                   // per parameter and per step
//
// Equation → function: 10.8–10.10 forward() (rnn.ts), 10.11 + loss losses.ts, 10.18 the loss backward (losses.ts),
// 10.19–10.21 the ∇h recursion and 10.22–10.28 the sums in backward() (rnn.ts); reference.ts has one mathjs function
// per equation (eq10_8_a … eq10_28_dU); nudge.ts and gradcheck.ts check them by central differences.
export * from './tensor';
export * from './losses';
export * from './rnn';
export * from './gradcheck';
export * from './nudge';
export * from './case';
export { Workspace, kernelName } from './kernels';
export * as reference from './reference';
export * from './optim';
export * from './clip';
export * from './truncation';
export * from './analysis';
export * from './data';
export * from './sample';
export * from './train';
export * from './checkpoint';
export { trainCommand } from './commands/train';
// the same modules as namespaces, for notebooks that want analysis.jacobianNorms(...) style names
export * as analysis from './analysis';
export * as truncation from './truncation';
export * as clipping from './clip';
export * as plots from './plots';
export * from './display';
export * from './byhand';
export * as exercises from './exercises';
// A deeper course II (issue 15): gradient checkpointing
export * from './train/checkpointing';
export * from './model/lstm';
export * from './train/lstm-trainer';
export * from './model/teacher-forcing';
export * from './train/teacher-forcing';
