#!/usr/bin/python3
"""Execute one notebook with Jupyter (nbclient) and report cell errors.

Used by test/notebooks.test.ts; also handy by hand:

    JUPYTER_PATH=$PWD/.jupyter-local /usr/bin/python3 scripts/execute_notebook.py notebooks/01-forward.ipynb

Run it with Debian's /usr/bin/python3 (the pyenv `python3` first on PATH has no
Jupyter). `node scripts/lab.mjs setup` writes the project-local `tslab` kernel
spec into .jupyter-local/; JUPYTER_PATH must point there (lab.mjs and the test
set it).

The notebook file is only read, never written: the executed copy with its
outputs lives in memory (or, within one `npm test`, in the run's
BPTTLAB_EXECUTED folder, shared with the book build: see execute() below), so
committed notebooks stay output-free.

Rules
-----
* A cell passes when the kernel replies status "ok". tslab reports both
  compile errors and exceptions as status "error" with the message on the
  cell's stderr stream (it sends no `ename`/`evalue`), so the error text we
  show is that stderr (plus any `error` outputs, for other kernels).
* A cell tagged `raises-exception` (the standard Jupyter tag) may fail.
* Default (chapter notebooks): the first failing cell fails the notebook and
  execution stops there, since later cells would only fail as a consequence.
* --expect-stub-errors (exercise notebooks): every cell runs. A failing cell
  is accepted only if its error text contains "not implemented yet" (what the
  stubs throw; the cell may be the stub itself or any cell that calls one).
  Any other failure fails the notebook. The notebook also fails if no cell
  raised "not implemented yet" at all although some cell contains a stub
  (`BEGIN STUB` in its source or the tag `stub`): that means the exercise
  notebook accidentally ships with its solutions filled in.

Exit status: 0 pass, 1 a cell failed (or timed out), 2 could not run at all
(no Jupyter, no such kernel, kernel did not start or died).
"""

import argparse
import hashlib
import json
import os
import re
import sys
import time

STUB_ERROR = "not implemented yet"
STUB_MARKER = "BEGIN STUB"

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from jupyter_client.kernelspec import NoSuchKernel
except ImportError as e:
    print(
        f"execute_notebook.py: {e}. Run it with /usr/bin/python3 and install Jupyter with "
        "`npm test` (or: apt-get install -y jupyter-notebook python3-nbclient "
        "jupyter-nbconvert python3-ipykernel).",
        file=sys.stderr,
    )
    sys.exit(2)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Stack frames from the kernel's own machinery say nothing about the notebook.
NOISE = re.compile(r"^\s+at .*(node_modules/tslab/|\(node:|node:vm|ZmqServer|JupyterHandlerImpl)")


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:100]
    return ""


def error_text(cell):
    """What the kernel said went wrong in this cell (stderr + error outputs)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
            parts.append("\n".join(out.get("traceback", [])))
    text = ANSI.sub("", "".join(parts))
    lines = [l for l in text.splitlines() if not NOISE.match(l)]
    return "\n".join(lines).strip()


def is_stub_cell(cell):
    return STUB_MARKER in cell.source or "stub" in cell.metadata.get("tags", [])


def indent(text, prefix="    "):
    return "\n".join(prefix + l for l in (text or "(no error text)").splitlines())


class CouldNotRun(Exception):
    """The notebook could not be run at all (no kernel, kernel died or did not start): exit 2."""


def run_cells(nb, path, kernel, timeout, startup_timeout, expect_stub_errors, cwd=None):
    """Executes nb in place. Returns (failures, stub_errors, code_cells, seconds); raises CouldNotRun."""
    name = os.path.basename(path)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        startup_timeout=startup_timeout,
        # We decide ourselves what an error means (see the rules above).
        allow_errors=True,
        resources={"metadata": {"path": cwd or os.path.dirname(path)}},
    )
    # nbclient keeps only outputs; we also need each cell's reply status,
    # because tslab signals errors only there.
    replies = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.__setitem__(
        cell_index, execute_reply["content"])

    failures = []        # (index, cell, text) of unexpected failures
    stub_errors = 0      # cells that failed with "not implemented yet"
    code_cells = 0
    started = time.monotonic()
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                code_cells += 1
                try:
                    client.execute_cell(cell, index, execution_count=code_cells)
                except CellTimeoutError:
                    failures.append((index, cell, f"timed out after {timeout} s"))
                    break
                status = replies.get(index, {}).get("status")
                if status == "ok":
                    continue
                text = error_text(cell) or f"kernel replied status {status!r}"
                # tslab rejects anything sent within 200 ms of a failed cell
                # (it answers "abort"); wait before sending the next cell.
                time.sleep(0.3)
                if "raises-exception" in cell.metadata.get("tags", []):
                    continue
                if expect_stub_errors and STUB_ERROR in text:
                    stub_errors += 1
                    continue
                failures.append((index, cell, text))
                if not expect_stub_errors:
                    break
    except NoSuchKernel:
        raise CouldNotRun(
            f"{name}: no Jupyter kernel named {kernel!r}. Run `node scripts/lab.mjs setup` and "
            f"set JUPYTER_PATH=<project>/.jupyter-local (now: {os.environ.get('JUPYTER_PATH', 'unset')}).")
    except DeadKernelError as e:
        raise CouldNotRun(f"{name}: the kernel died: {e}")
    except RuntimeError as e:  # e.g. kernel did not start in time
        raise CouldNotRun(f"{name}: could not run the notebook: {e}")
    elapsed = time.monotonic() - started

    if expect_stub_errors and stub_errors == 0 and any(is_stub_cell(c) for c in nb.cells):
        failures.append((None, None,
                         f"no cell raised {STUB_ERROR!r} although the notebook has stub cells: "
                         "are the solutions filled in?"))
    return failures, stub_errors, code_cells, elapsed


# ---------------------------------------------------------------- executed once per test run
#
# `npm test` executes every notebook once: the notebook test and the book build (and the teacher's book) share the
# executed copies through the folder named by BPTTLAB_EXECUTED, which scripts/lab.mjs makes for the run and removes
# afterwards. A copy is keyed by the notebook's bytes and the rules it ran under, and stored only when it passed, so
# whoever comes second sees exactly what the first run produced. Without BPTTLAB_EXECUTED nothing is shared.

def _cache_paths(path, expect_stub_errors):
    folder = os.environ.get("BPTTLAB_EXECUTED")
    if not folder:
        return None
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read() + (b"\0stub" if expect_stub_errors else b"\0chapter")).hexdigest()[:24]
    base = os.path.join(folder, f"{os.path.basename(path)}.{digest}")
    return {"nb": base + ".ipynb", "meta": base + ".json", "lock": base + ".lock"}


def _load(paths):
    with open(paths["meta"], encoding="utf-8") as f:
        meta = json.load(f)
    return nbformat.read(paths["nb"], as_version=4), meta


def execute(path, kernel="tslab", timeout=120, startup_timeout=120, expect_stub_errors=False, cwd=None):
    """The executed notebook and what happened: (nb, failures, meta). Reuses this run's earlier execution."""
    paths = _cache_paths(path, expect_stub_errors)
    if paths:
        os.makedirs(os.path.dirname(paths["nb"]), exist_ok=True)
        deadline = time.monotonic() + 15 * 60
        while True:
            if os.path.exists(paths["meta"]):
                nb, meta = _load(paths)
                return nb, [], dict(meta, reused=True)
            try:  # claim it; another process executing the same notebook has the lock
                os.close(os.open(paths["lock"], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                break
            except FileExistsError:
                if time.monotonic() > deadline:
                    paths = None  # the other process is stuck: run it ourselves, unshared
                    break
                time.sleep(1)
    try:
        nb = nbformat.read(path, as_version=4)
        failures, stub_errors, code_cells, seconds = run_cells(
            nb, path, kernel, timeout, startup_timeout, expect_stub_errors, cwd)
        meta = {"code_cells": code_cells, "seconds": round(seconds, 1), "stub_errors": stub_errors, "reused": False}
        if paths and not failures:
            nbformat.write(nb, paths["nb"] + ".tmp")
            os.replace(paths["nb"] + ".tmp", paths["nb"])
            with open(paths["meta"] + ".tmp", "w", encoding="utf-8") as f:
                json.dump(meta, f)
            os.replace(paths["meta"] + ".tmp", paths["meta"])  # last: its presence means the copy is complete
        return nb, failures, meta
    finally:
        if paths:
            try:
                os.remove(paths["lock"])
            except FileNotFoundError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebook")
    ap.add_argument("--kernel", default="tslab", help="kernel spec name (default: tslab)")
    ap.add_argument("--cwd", help="kernel working directory (default: the notebook's folder)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per cell (default: 120)")
    ap.add_argument("--startup-timeout", type=int, default=120, help="seconds for the kernel to start")
    ap.add_argument("--expect-stub-errors", action="store_true",
                    help="exercise notebook: accept errors containing 'not implemented yet'")
    args = ap.parse_args()

    path = os.path.abspath(args.notebook)
    name = os.path.basename(path)
    try:
        _, failures, meta = execute(path, args.kernel, args.timeout, args.startup_timeout,
                                    args.expect_stub_errors, args.cwd)
    except CouldNotRun as e:
        print(str(e), file=sys.stderr)
        sys.exit(2)

    for index, cell, text in failures:
        if cell is None:
            print(f"{name}: {text}", file=sys.stderr)
        else:
            print(f"{name}: cell {index} (0-based) failed: `{first_line(cell.source)}`\n{indent(text)}",
                  file=sys.stderr)
    summary = f"{name}: {meta['code_cells']} code cells in {meta['seconds']:.1f} s"
    if args.expect_stub_errors:
        summary += f", {meta['stub_errors']} stub errors as expected"
    if meta.get("reused"):
        summary += " (reused: it was executed and passed earlier in this run, e.g. by the book build)"
    print(summary + (", FAILED" if failures else ", ok"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
