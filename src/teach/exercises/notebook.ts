// The exercise functions of a student's notebook, each as a module `bpttlab grade` can check on its own.
//
// A notebook's code cells are TypeScript run one after another in one kernel, so a function may use what other cells
// declare. For each exercise posed (its function declared, or its check cell present) the module is: the function's
// last declaration, plus every top-level declaration it uses, transitively (helpers, types, constants, imports of
// other packages such as mathjs), in cell order; when a name is declared twice, the later one counts, as in the
// kernel. Statements that are not declarations (the check cells, prints, experiments) are not run. A function that
// uses bpttlab — by `bp`, an import of bpttlab, `require` or `import(` in its own source or in a declaration it uses —
// is not run at all: its verdict is 'uses-bpttlab'.
import type * as TS from 'typescript';
import { REFUSED_WORDS } from './index';
import type { ExerciseSpec } from './types';

interface Decl {
  readonly names: readonly string[];
  readonly text: string;
  readonly node: TS.Node;
  /** The cell and position, for the order the module keeps. */
  readonly order: number;
  /** Set for an import of bpttlab (or of a path): using one of its names is using bpttlab. */
  readonly refusedImport?: string;
}

export type Extracted =
  | { kind: 'module'; source: string }
  | { kind: 'refused'; detail: string }
  | { kind: 'missing'; detail: string };

export interface NotebookExercises {
  /**
   * The exercises this notebook poses (declares the function of, or has a check cell for), in the catalogue's order.
   */
  readonly posed: readonly ExerciseSpec[];
  extract(spec: ExerciseSpec): Extracted;
}

type Ts = typeof import('typescript');

/** The TypeScript compiler (a dev dependency), or null. */
export function typescript(): Ts | null {
  try {
    return require('typescript') as Ts;
  } catch {
    return null;
  }
}

const isPathOrBpttlab = (spec: string): boolean => /^bpttlab(\/|$)/.test(spec) || /^(\.|\/|[A-Za-z]:[\\/])/.test(spec);

/** Reads the declarations of a notebook's code cells (sources as the notebook stores them). */
export function notebookExercises(ts: Ts, cells: readonly string[], specs: readonly ExerciseSpec[]): NotebookExercises {
  const byName = new Map<string, Decl>();
  let order = 0;
  const add = (d: Omit<Decl, 'order'>): void => {
    const decl = { ...d, order: order++ };
    for (const n of d.names) byName.set(n, decl);
  };
  const bindingNames = (b: TS.BindingName): string[] =>
    ts.isIdentifier(b) ? [b.text] : b.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
  const allSource = cells.join('\n');
  cells.forEach((code, i) => {
    // tslab's magics (%…) are not TypeScript; blank them so the cell still parses
    const sf = ts.createSourceFile(
      `cell${i}.ts`,
      code.replace(/^%.*$/gm, ''),
      ts.ScriptTarget.ES2022,
      true,
      ts.ScriptKind.TS,
    );
    for (const st of sf.statements) {
      const text = st.getText(sf).replace(/^export\s+(default\s+)?/, '');
      if (ts.isImportDeclaration(st)) {
        const from = (st.moduleSpecifier as TS.StringLiteral).text;
        const c = st.importClause;
        const names = [
          ...(c?.name ? [c.name.text] : []),
          ...(c?.namedBindings
            ? ts.isNamespaceImport(c.namedBindings)
              ? [c.namedBindings.name.text]
              : c.namedBindings.elements.map((e) => e.name.text)
            : []),
        ];
        add({ names, text, node: st, refusedImport: isPathOrBpttlab(from) ? from : undefined });
      } else if (ts.isImportEqualsDeclaration(st)) {
        add({ names: [st.name.text], text, node: st, refusedImport: 'require' });
      } else if (ts.isFunctionDeclaration(st) && st.name && st.body) {
        add({ names: [st.name.text], text, node: st });
      } else if (
        (ts.isClassDeclaration(st) ||
          ts.isInterfaceDeclaration(st) ||
          ts.isTypeAliasDeclaration(st) ||
          ts.isEnumDeclaration(st)) &&
        st.name
      ) {
        add({ names: [st.name.text], text, node: st });
      } else if (ts.isVariableStatement(st)) {
        add({ names: st.declarationList.declarations.flatMap((d) => bindingNames(d.name)), text, node: st });
      }
    }
  });
  const posed = specs.filter(
    (s) => byName.has(s.fn) || new RegExp(`exercises\\.check\\(\\s*['"\`]${s.name}['"\`]`).test(allSource),
  );

  /**
   * The names a declaration uses from outside itself: identifiers in reference position, less every name declared
   * anywhere inside it (parameters, locals: a helper's parameter `h` does not pull in a top-level `h`).
   */
  const freeNames = (node: TS.Node): Set<string> => {
    const used = new Set<string>();
    const local = new Set<string>();
    const walk = (n: TS.Node): void => {
      if (ts.isParameter(n) || ts.isVariableDeclaration(n) || ts.isBindingElement(n))
        for (const x of bindingNames(n.name)) local.add(x);
      if ((ts.isFunctionExpression(n) || ts.isClassExpression(n)) && n.name) local.add(n.name.text);
      if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name && n !== node) local.add(n.name.text);
      if (ts.isTypeParameterDeclaration(n)) local.add(n.name.text);
      if (ts.isIdentifier(n)) {
        const p = n.parent;
        const isName =
          p &&
          (((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) &&
            (ts.isPropertyAccessExpression(p) ? p.name : p.right) === n) ||
            ((ts.isPropertyAssignment(p) ||
              ts.isPropertySignature(p) ||
              ts.isPropertyDeclaration(p) ||
              ts.isMethodDeclaration(p) ||
              ts.isMethodSignature(p)) &&
              p.name === n) ||
            ((ts.isLabeledStatement(p) || ts.isBreakStatement(p) || ts.isContinueStatement(p)) && p.label === n));
        if (!isName) used.add(n.text);
      }
      ts.forEachChild(n, walk);
    };
    walk(node);
    for (const x of local) used.delete(x);
    return used;
  };

  function extract(spec: ExerciseSpec): Extracted {
    const own = byName.get(spec.fn);
    const isFunction = own && (ts.isFunctionDeclaration(own.node) || ts.isVariableStatement(own.node));
    if (!own || !isFunction) return { kind: 'missing', detail: `the notebook declares no function ${spec.fn}` };
    const used = new Map<Decl, string>([[own, spec.fn]]);
    const queue: Decl[] = [own];
    while (queue.length > 0) {
      const d = queue.shift()!;
      const words = REFUSED_WORDS.exec(d.text);
      if (words) {
        const whose = d === own ? 'its source' : `${used.get(d)}, which it uses,`;
        return { kind: 'refused', detail: `${whose} mentions \`${words[0].replace(/\s+/g, '')}\`` };
      }
      for (const id of freeNames(d.node)) {
        const dep = byName.get(id);
        if (!dep || used.has(dep)) continue;
        if (dep.refusedImport) return { kind: 'refused', detail: `it uses ${id}, imported from ${dep.refusedImport}` };
        used.set(dep, id);
        queue.push(dep);
      }
    }
    const parts = [...used.keys()].sort((a, b) => a.order - b.order).map((d) => d.text);
    return { kind: 'module', source: `${parts.join('\n\n')}\n\nexport { ${spec.fn} };\n` };
  }

  return { posed, extract };
}
