// The exercises with their answers, in the order the notebooks pose them (the same order as specs.ts).
import { Exercise } from './exercise';
import { forwardStep } from './forward-step';
import { softmaxGrad } from './softmax-grad';
import { squaredGrad } from './squared-grad';
import { dhStep } from './dh-step';
import { backwardLoop } from './backward-loop';
import { gradW } from './dW';
import { gradU } from './dU';
import { gradV } from './dV';
import { gradB } from './db';
import { gradC } from './dc';
import { truncatedBackward } from './truncated';
import { fullBackward } from './full-backward';
import { clipNorm } from './clip';
import { gradX } from './dx';
import { learnedH0 } from './learned-h0';
import { lastStepLoss } from './last-step-loss';
import { reluBackward } from './relu-backward';
import { specOf } from '../specs';

export * from './exercise';

export const EXERCISES: readonly Exercise[] = [
  forwardStep, softmaxGrad, squaredGrad, dhStep, backwardLoop, gradV, gradC, gradW, gradU, gradB, fullBackward, truncatedBackward, clipNorm,
  gradX, learnedH0, lastStepLoss, reluBackward, // notebook 23, the derivations
];

/** The exercise called `name` (CLI name or function name) with its answer; throws for an unknown name. */
export function getExercise(name: string): Exercise {
  const spec = specOf(name);
  return EXERCISES.find((e) => e.name === spec.name)!;
}
