// Reading a file the user named, with a plain reason when it cannot be read (every command and loader uses this).
import { readFileSync } from 'node:fs';
import { BpttError } from './tensor';

const REASONS: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' };

/** The bytes of `file` (a path, or a file descriptor such as 0 for stdin, shown as `shown`), or a BpttError naming `what` and why. */
export function readBytes(file: string | number, what: string, shown = String(file)): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new BpttError(`cannot read ${what} ${shown}: ${REASONS[code] ?? (e as Error).message}`);
  }
}
