// Reading a file the user named, with a plain reason when it cannot be read (every command and loader uses this).
// Only regular files are read, and only up to the size limit of their kind (limits.ts): a symlink to /dev/zero, a
// FIFO nobody writes to or a 10 GB file would otherwise hang the command or fill the memory.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { BpttError } from '../model/errors';
import { FILE_LIMITS, type FileKind, formatBytes } from './limits';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
};

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (e as Error).message;
}

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'it is a directory';
  if (st.isFIFO()) return 'it is a named pipe (FIFO), not a regular file';
  if (st.isCharacterDevice()) return 'it is a device (like /dev/zero or /dev/urandom), not a regular file';
  if (st.isBlockDevice()) return 'it is a block device, not a regular file';
  if (st.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

/** Reads from fd until end of file, failing once more than `limit` bytes have come. */
function readAll(fd: number, limit: number, tooBig: (n: number, atLeast: boolean) => never): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // a non-blocking stdin (a pipe a parent process left in that mode) has no data yet: wait a little
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) tooBig(total, true);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

/**
 * The bytes of `file` (a path, or a file descriptor such as 0 for stdin, shown as `shown`), or a BpttError naming
 * `what` and why: missing, not a regular file, or larger than the limit for its kind.
 */
export function readBytes(file: string | number, what: FileKind, shown = String(file)): Buffer {
  const limit = FILE_LIMITS[what];
  const fail = (why: string): never => {
    throw new BpttError(`cannot read ${what} ${shown}: ${why}`);
  };
  const tooBig = (n: number, atLeast = false): never =>
    fail(
      `${
        atLeast ? 'it has more than' : `it is ${formatBytes(n)}, more than`
      } the ${formatBytes(limit)} a ${what} may be`,
    );
  if (typeof file === 'number') {
    // standard input: a pipe, a terminal or a redirected file; read it with the limit as it comes
    try {
      return readAll(file, limit, tooBig);
    } catch (e) {
      if (e instanceof BpttError) throw e;
      return fail(reason(e));
    }
  }
  let st: Stats;
  try {
    st = statSync(file); // follows symbolic links: a link to /dev/zero is a device
  } catch (e) {
    return fail(reason(e));
  }
  if (!st.isFile())
    fail(
      `${kindOf(st)}${what === 'case file' && !st.isDirectory() ? ' (use - to read a case from standard input)' : ''}`,
    );
  if (st.size > limit) tooBig(st.size);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK); // never blocks, even if a FIFO took its place
  } catch (e) {
    return fail(reason(e));
  }
  try {
    const again = fstatSync(fd);
    if (!again.isFile()) fail(kindOf(again));
    return readAll(fd, limit, tooBig);
  } catch (e) {
    if (e instanceof BpttError) throw e;
    return fail(reason(e));
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that `file` is a regular file no larger than the limit for its kind, without reading it (for files that
 * another program reads, e.g. the student's solution that the check bundles); the same one-line errors as readBytes.
 */
export function expectRegularFile(file: string, what: FileKind, shown = file): void {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    throw new BpttError(`cannot read ${what} ${shown}: ${reason(e)}`);
  }
  if (!st.isFile()) throw new BpttError(`cannot read ${what} ${shown}: ${kindOf(st)}`);
  const limit = FILE_LIMITS[what];
  if (st.size > limit)
    throw new BpttError(
      `cannot read ${what} ${shown}: it is ${formatBytes(st.size)}, more than the ${formatBytes(limit)} a ${what} ` +
        `may be`,
    );
}

/** What a path that is neither a file nor a folder is, in words (for commands that take either). */
export function describeNonFile(st: Stats): string {
  return kindOf(st);
}

/** The error message of a failed file operation, in words ("no such file", "permission denied", …). */
export function fileError(e: unknown): string {
  return reason(e);
}
