// The one place that touches tslab: sends a display output (several mime types) to the notebook, or prints its
// text in plain Node. tslab is required lazily inside the call, so everything else in src/ runs without it.
import { randomBytes } from 'node:crypto';

export type Bundle = Record<string, unknown>;
type Writer = (msg: { data: Bundle; metadata: Bundle; transient: { display_id?: string } }, update: boolean) => void;

/** The kernel's display-data writer, or null outside a tslab kernel. */
function kernelWriter(): Writer | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: Writer | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** Sends one display output with several mime types; `id` + `update` overwrite an earlier output (live plots). */
export function emit(data: Bundle, id?: string, update = false): void {
  const write = kernelWriter();
  if (write === null) {
    // Plain Node (a script, a test): say what would have been shown.
    console.log(String(data['text/plain'] ?? '[display output]'));
    return;
  }
  write({ data, metadata: {}, transient: id === undefined ? {} : { display_id: id } }, update);
}

export const newId = (): string => `bp-${randomBytes(6).toString('hex')}`;
