// The one error class of bpttlab: every bad input gets a plain one-line message naming the parameter, the
// equation and the shapes (the command line prints it and exits 2).
/** The error every bad input gets: a plain message naming the parameter, the equation and the shapes. */
export class BpttError extends Error {
  override name = 'BpttError';
}
