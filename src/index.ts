// bpttlab: Backpropagation Through Time for a vanilla RNN, as Deep Learning §10.2.2 derives it.
//
//   import { initParams, forward, backward, gradCheck } from 'bpttlab';
//   const p = initParams({ inputSize: D, hiddenSize: H, outputSize: K, seed: 1 });
//   const fw = forward(p, tokens, targets, { loss: 'softmax-ce' }); // a, h, o, ŷ per step, and the loss
// const g = backward(p, fw); // dU, dW, dV, db, dc, dh0, and ∇o(t), ∇h(t) per step
//   const report = gradCheck(p, tokens, targets);                   // per parameter and per step
//
// Equation → function: EQUATIONS in model/equations.ts (the README's table is made from it). The engine
// (model/engine.ts) is written as forward/backward pairs; model/reference.ts has one mathjs function per equation;
// check/nudge.ts and check/gradcheck.ts check them by central differences. This entry never loads the command line.

export * from './check/case';
export * from './check/gradcheck';
export * from './check/lstm-gradcheck';
export * from './check/nudge';
export * from './model/agree';
export * from './model/engine';
export * from './model/equations';
export * from './model/errors';
export * from './model/inputs';
export { kernelName, Workspace } from './model/kernels';
export * from './model/losses';
export * from './model/lstm';
export * from './model/params';
export * from './model/pieces';
export * as reference from './model/reference';
export * from './model/rng';
export * from './model/summands';
export * from './model/teacher-forcing';
export * from './model/tensor';
export * from './teach/analysis';
// the same modules as namespaces, for notebooks that want analysis.jacobianNorms(...) style names
export * as analysis from './teach/analysis';
export * from './teach/byhand';
export * from './teach/display';
export * as example from './teach/example';
export * as exercises from './teach/exercises';
export * from './teach/long-range';
export * as plots from './teach/plots';
export * from './train/checkpoint';
export * from './train/checkpoint-lock';
// A deeper course II: gradient checkpointing, the LSTM, teacher forcing
export * from './train/checkpointing';
export * from './train/clip';
export * as clipping from './train/clip';
export * from './train/config';
export * from './train/lstm-trainer';
export * from './train/optim';
export * from './train/sample';
export * from './train/tasks';
export * from './train/teacher-forcing';
export * from './train/text';
export * from './train/trainer';
export * from './train/truncation';
export * as truncation from './train/truncation';
