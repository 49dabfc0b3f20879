// What a student's function hands back, as plain data. Every check reads the result exactly once into fresh arrays
// (a getter that answers differently on a second read, or a Proxy that throws, cannot change what is judged), sends
// it between processes as JSON, and reads it back as untrusted data: decode() accepts only numbers, vectors,
// matrices and records of those, within size limits. No imports: the sandboxed child process bundles this file.

/** A value in normal form: a number, a vector, a matrix (rectangular), or a record of those (gradient sets). */
export type Norm =
  | { readonly kind: 'num'; readonly v: number }
  | { readonly kind: 'vec'; readonly v: readonly number[] }
  | { readonly kind: 'mat'; readonly v: readonly (readonly number[])[] }
  | { readonly kind: 'rec'; readonly v: Readonly<Record<string, Norm>> };

/** Far above any exercise's answer (the largest is a few hundred numbers), far below what would hurt a process. */
const MAX_ENTRIES = 1_000_000;
const MAX_FIELDS = 32;

function isNumArray(x: unknown): x is ArrayLike<number> {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** The entries of an array read once each, or a description of why it is not an array we accept. */
function readArray(x: ArrayLike<unknown>): unknown[] | string {
  const n = x.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return 'an array whose length is not a number';
  if (n > MAX_ENTRIES) return `an array of length ${n} (more than ${MAX_ENTRIES} entries)`;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = x[i];
  return out;
}

/**
 * Reads a value once into a normal form, or returns a plain description of why it is not a valid result. May throw
 * (a Proxy's trap, a getter): callers wrap it.
 */
export function normalise(x: unknown, depth = 0): Norm | string {
  if (typeof x === 'number') return { kind: 'num', v: x };
  if (isNumArray(x)) {
    const a = readArray(x);
    return typeof a === 'string' ? a : { kind: 'vec', v: a as number[] };
  }
  if (Array.isArray(x)) {
    const items = readArray(x);
    if (typeof items === 'string') return items;
    if (items.every((e) => typeof e === 'number')) return { kind: 'vec', v: items as number[] };
    const rows: number[][] = [];
    let entries = 0;
    for (let i = 0; i < items.length; i++) {
      const r = items[i];
      if (!isNumArray(r) && !Array.isArray(r)) return `an array whose entry ${i} is ${describeRaw(r)}`;
      const row = readArray(r);
      if (typeof row === 'string') return `an array whose entry ${i} is ${row}`;
      const bad = row.findIndex((e) => typeof e !== 'number');
      if (bad >= 0) return `a matrix whose entry [${i}][${bad}] is ${describeRaw(row[bad])}`;
      entries += row.length;
      if (entries > MAX_ENTRIES) return `a matrix with more than ${MAX_ENTRIES} entries`;
      rows.push(row as number[]);
    }
    const c = rows[0].length;
    const ragged = rows.findIndex((r) => r.length !== c);
    if (ragged >= 0) return `a ragged matrix (row 0 has ${c} entries, row ${ragged} has ${rows[ragged].length})`;
    return { kind: 'mat', v: rows };
  }
  // a plain object (from any realm: a notebook kernel may run cells in its own context)
  if (x !== null && typeof x === 'object' && depth === 0 && Object.prototype.toString.call(x) === '[object Object]') {
    const keys = Object.keys(x);
    if (keys.length > MAX_FIELDS) return `an object with ${keys.length} fields`;
    const out: Record<string, Norm> = Object.create(null) as Record<string, Norm>;
    for (const k of keys) {
      const n = normalise((x as Record<string, unknown>)[k], depth + 1);
      if (typeof n === 'string') return `an object whose field ${k} is ${n}`;
      out[k] = n;
    }
    return { kind: 'rec', v: out };
  }
  return describeRaw(x);
}

/** A short, safe description of any value (never calls the value's own methods). */
export function describeRaw(x: unknown): string {
  if (x === undefined) return 'undefined (did you forget to return?)';
  if (x === null) return 'null';
  if (typeof x === 'string') return `a string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (typeof x === 'function') return 'a function';
  if (typeof x === 'symbol' || typeof x === 'bigint' || typeof x === 'boolean') return `a ${typeof x}`;
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') {
    let name = 'Object';
    try {
      const proto = Object.getPrototypeOf(x) as { constructor?: { name?: unknown } } | null;
      const n = proto?.constructor?.name;
      if (typeof n === 'string' && n) name = n.slice(0, 40);
    } catch {
      name = 'an exotic object';
    }
    return `an object (${name})`;
  }
  return typeof x;
}

export function describe(n: Norm): string {
  switch (n.kind) {
    case 'num':
      return 'a number';
    case 'vec':
      return `a vector (number[]) of length ${n.v.length}`;
    case 'mat':
      return `a ${n.v.length}×${n.v[0].length} matrix (number[][])`;
    case 'rec':
      return `an object with fields ${Object.keys(n.v)
        .map((k) => `${k}: ${describe(n.v[k]).replace(/^an? /, '')}`)
        .join(', ')}`;
  }
}

// --- between processes: JSON has no NaN or Infinity, so those travel as strings ---

type Wire = number | 'NaN' | 'Infinity' | '-Infinity';
const toWire = (v: number): Wire =>
  Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
function fromWire(w: unknown): number {
  if (typeof w === 'number' && Number.isFinite(w)) return w;
  if (w === 'NaN') return NaN;
  if (w === 'Infinity') return Infinity;
  if (w === '-Infinity') return -Infinity;
  throw new Error('not a number');
}

/** JSON-safe form of a normal value. */
export function encode(n: Norm): unknown {
  switch (n.kind) {
    case 'num':
      return { k: 'num', v: toWire(n.v) };
    case 'vec':
      return { k: 'vec', v: n.v.map(toWire) };
    case 'mat':
      return { k: 'mat', v: n.v.map((r) => r.map(toWire)) };
    case 'rec':
      return { k: 'rec', v: Object.fromEntries(Object.keys(n.v).map((key) => [key, encode(n.v[key])])) };
  }
}

/** Reads an encoded value from untrusted data; throws a plain Error for anything that is not one. */
export function decode(x: unknown, depth = 0): Norm {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new Error('not an encoded value');
  const { k, v } = x as { k?: unknown; v?: unknown };
  if (k === 'num') return { kind: 'num', v: fromWire(v) };
  if (k === 'vec') {
    if (!Array.isArray(v) || v.length > MAX_ENTRIES) throw new Error('bad vector');
    return { kind: 'vec', v: v.map(fromWire) };
  }
  if (k === 'mat') {
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_ENTRIES) throw new Error('bad matrix');
    const rows = v.map((r) => {
      if (!Array.isArray(r) || r.length > MAX_ENTRIES) throw new Error('bad matrix row');
      return r.map(fromWire);
    });
    if (rows.some((r) => r.length !== rows[0].length) || rows.reduce((s, r) => s + r.length, 0) > MAX_ENTRIES)
      throw new Error('bad matrix');
    return { kind: 'mat', v: rows };
  }
  if (k === 'rec' && depth === 0) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('bad record');
    const keys = Object.keys(v);
    if (keys.length > MAX_FIELDS) throw new Error('bad record');
    const out: Record<string, Norm> = Object.create(null) as Record<string, Norm>;
    for (const key of keys) out[key] = decode((v as Record<string, unknown>)[key], depth + 1);
    return { kind: 'rec', v: out };
  }
  throw new Error('not an encoded value');
}
