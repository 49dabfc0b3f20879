/** The marker before the verdict line that `bpttlab check`'s child process writes on stdout. */
export const MARK_TEXT = '\u0001bpttlab-verdict ';
/** The marker before "case N" progress lines on the child's stderr. */
export const CASE_MARK = '\u0001bpttlab-case ';
