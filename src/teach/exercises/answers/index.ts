// The exercises with their answers, in the order the notebooks pose them (the same order as specs.ts).

import { specOf } from '../specs';
import { backwardLoop } from './backward-loop';
import { clipNorm } from './clip';
import { gradB } from './db';
import { gradC } from './dc';
import { dhStep } from './dh-step';
import { gradU } from './dU';
import { gradV } from './dV';
import { gradW } from './dW';
import { gradX } from './dx';
import type { Exercise } from './exercise';
import { forwardStep } from './forward-step';
import { fullBackward } from './full-backward';
import { lastStepLoss } from './last-step-loss';
import { learnedH0 } from './learned-h0';
import { reluBackward } from './relu-backward';
import { softmaxGrad } from './softmax-grad';
import { squaredGrad } from './squared-grad';
import { truncatedBackward } from './truncated';

export * from './exercise';

export const EXERCISES: readonly Exercise[] = [
  forwardStep,
  softmaxGrad,
  squaredGrad,
  dhStep,
  backwardLoop,
  gradV,
  gradC,
  gradW,
  gradU,
  gradB,
  fullBackward,
  truncatedBackward,
  clipNorm,
  gradX,
  learnedH0,
  lastStepLoss,
  reluBackward, // notebook 23, the derivations
];

/** The exercise called `name` (CLI name or function name) with its answer; throws for an unknown name. */
export function getExercise(name: string): Exercise {
  const spec = specOf(name);
  return EXERCISES.find((e) => e.name === spec.name)!;
}
