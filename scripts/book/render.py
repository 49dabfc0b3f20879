#!/usr/bin/python3
"""Execute one notebook (nbclient, in memory) and write it as HTML for the book.

    /usr/bin/python3 scripts/book/render.py NOTEBOOK OUT.html OUT.json [--no-execute]

--no-execute renders the notebook as it is, without a kernel (the student exercise pages: their stubs would only
fail with "not implemented yet").

Used by scripts/book.mjs. The notebook file is only read, never written. It is
executed by scripts/execute_notebook.py's execute(), under the same rules as
the notebook test: fails (exit 1) on the first cell whose kernel reply is not
"ok", unless the cell is tagged `raises-exception`; within one `npm test` the
executed copy is shared with the notebook test (BPTTLAB_EXECUTED), so each
notebook runs once. OUT.json gets the chapter's title, the
number of figures (outputs holding a `bpttlab-plot` div, counted after live
displays were overwritten in place) and the execution time. Exit 2 when the
kernel did not start (book.mjs then retries).
"""
import json
import os
import sys

import nbformat
from nbconvert import HTMLExporter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import execute_notebook  # noqa: E402  (scripts/execute_notebook.py: one executor for the tests and the book)

PLOT_MARK = 'class="bpttlab-plot"'
# Placeholders book.mjs rewrites to files it copies into site/.
MATHJAX_URL = "BPTTLAB_MATHJAX/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
REQUIRE_URL = "BPTTLAB_REQUIREJS"


def main():
    src, out_html, out_json = sys.argv[1:4]
    if "--no-execute" in sys.argv[4:]:
        nb, seconds = nbformat.read(src, as_version=4), 0.0
    else:
        nb, seconds = run(src)
    write(nb, src, out_html, out_json, seconds)


def run(src):
    """Executes the notebook with the tests' own executor (its rules, and the run's shared executed copies)."""
    try:
        nb, failures, meta = execute_notebook.execute(os.path.abspath(src), timeout=300)
    except execute_notebook.CouldNotRun as e:  # e.g. a port race between kernels: book.mjs retries
        print(str(e), file=sys.stderr)
        sys.exit(2)
    for index, cell, text in failures:
        where = "" if cell is None else f" cell {index} failed"
        print(f"{os.path.basename(src)}:{where}\n{text}", file=sys.stderr)
    if failures:
        sys.exit(1)
    return nb, meta["seconds"]


def write(nb, src, out_html, out_json, seconds):
    figures = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            figures += html.count(PLOT_MARK)
            # nbconvert does not render plotly's mime type; drop it so the page carries the data once.
            out.get("data", {}).pop("application/vnd.plotly.v1+json", None)
    title = next((line.lstrip("# ").strip() for c in nb.cells if c.cell_type == "markdown"
                  for line in c.source.splitlines() if line.startswith("# ")), os.path.basename(src))
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = MATHJAX_URL
    exporter.require_js_url = REQUIRE_URL
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    with open(out_html, "w", encoding="utf-8") as f:
        f.write(body)
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump({"title": title, "figures": figures, "seconds": round(seconds, 1)}, f)
    print(f"{os.path.basename(src)}: {figures} figures, {seconds:.1f} s")


if __name__ == "__main__":
    main()
