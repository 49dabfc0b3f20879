// Progress of a long synchronous computation (a gradient check on a long sequence) on the command line: once it has
// run a second, a one-line note says how long it will take when that is long, and on a terminal a bar on stderr
// shows how far along it is. A check that finishes in a second shows neither.
import { SingleBar } from 'cli-progress';
import { formatDuration } from '../io/limits';

export interface ProgressOptions {
  /** Where the bar goes (stderr); it is drawn only when this is a terminal. */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where the estimate goes, one line. */
  note: (s: string) => void;
  /** What is being done, for the note: e.g. "1 500 central differences over T = 500 steps". */
  what: (total: number) => string;
  /** How to make it shorter, for the note. */
  advice: string;
  /** Announce the estimate when the whole takes longer than this (seconds). Default 10. */
  longSeconds?: number;
  /** Milliseconds since some fixed time (tests pass a fake clock). */
  now?: () => number;
}

export class Progress {
  private readonly start: number;
  private readonly now: () => number;
  private announced = false;
  private bar: SingleBar | null = null;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** `done` of `total` units are finished. */
  update(done: number, total: number): void {
    const elapsed = (this.now() - this.start) / 1000;
    if (elapsed < 1 || done === 0) return;
    if (!this.announced) {
      this.announced = true;
      const left = (elapsed / done) * (total - done);
      if (elapsed + left > (this.o.longSeconds ?? 10)) {
        this.o.note(
          `this check takes about ${formatDuration(elapsed + left)} (${this.o.what(total)}); ${this.o.advice}`,
        );
      }
      if (this.o.stream.isTTY === true) {
        this.bar = new SingleBar({
          format: 'gradcheck |{bar}| {percentage}% | {value}/{total} | eta {eta_formatted}',
          stream: this.o.stream,
          hideCursor: false,
          clearOnComplete: true,
          etaBuffer: 50,
        });
        this.bar.start(total, done);
      }
    }
    if (this.bar !== null) {
      this.bar.setTotal(total);
      this.bar.update(done);
    }
  }

  /** Removes the bar (the note stays). */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
