// `bpttlab train` run in the test's own process, its output collected: faster than a child process, and a test can
// hand it the IO a terminal or a signal would use.
import { Command } from 'commander';
import { type TrainIO, trainCommand } from '../src/cli/train';

/**
 * Runs `bpttlab train ARGS`; what it prints (its results and its --help) is pushed to `printed`, and all of it is
 * what the promise resolves to. `io` replaces any of the command's outputs (notes go to stderr unless `io.note` takes
 * them). Rejects with the error a usage mistake or a refusal raises, the one the CLI prints before it exits 2.
 */
export async function trainCli(args: string[], printed: string[] = [], io: TrainIO = {}): Promise<string> {
  const cmd = trainCommand({ out: (s) => printed.push(s), ...io }).configureOutput({
    writeOut: (s) => printed.push(s),
    writeErr: () => undefined,
  });
  await new Command('bpttlab')
    .exitOverride()
    .addCommand(cmd)
    .parseAsync(['train', ...args], { from: 'user' });
  return printed.join('');
}
