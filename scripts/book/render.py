#!/usr/bin/python3
"""Execute one notebook (nbclient, in memory) and write it as HTML for the book.

    /usr/bin/python3 scripts/book/render.py NOTEBOOK OUT.html OUT.json [--no-execute]

--no-execute renders the notebook as it is, without a kernel (the student exercise pages: their stubs would only
fail with "not implemented yet").

Used by scripts/book.mjs. The notebook file is only read, never written. Fails
(exit 1) on the first cell whose kernel reply is not "ok" (tslab reports
errors only in the reply status, see scripts/execute_notebook.py), unless the
cell is tagged `raises-exception`. OUT.json gets the chapter's title, the
number of figures (outputs holding a `bpttlab-plot` div, counted after live
displays were overwritten in place) and the execution time. Exit 2 when the
kernel did not start (book.mjs then retries).
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

PLOT_MARK = 'class="bpttlab-plot"'
# Placeholders book.mjs rewrites to files it copies into site/.
MATHJAX_URL = "BPTTLAB_MATHJAX/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
REQUIRE_URL = "BPTTLAB_REQUIREJS"


def main():
    src, out_html, out_json = sys.argv[1:4]
    execute = "--no-execute" not in sys.argv[4:]
    nb = nbformat.read(src, as_version=4)
    started = time.monotonic()
    if execute:
        run(nb, src)
    seconds = time.monotonic() - started
    write(nb, src, out_html, out_json, seconds)


def run(nb, src):
    client = NotebookClient(nb, kernel_name="tslab", timeout=300, startup_timeout=120, allow_errors=True,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
    replies = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.__setitem__(
        cell_index, execute_reply["content"])
    try:
        kernel = client.setup_kernel()
        kernel.__enter__()
    except RuntimeError as e:  # the kernel did not start (e.g. a port race between kernels): book.mjs retries
        print(f"{os.path.basename(src)}: the kernel did not start: {e}", file=sys.stderr)
        sys.exit(2)
    count = 0
    try:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            count += 1
            client.execute_cell(cell, index, execution_count=count)
            if replies.get(index, {}).get("status") != "ok" and "raises-exception" not in cell.metadata.get("tags", []):
                text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
                print(f"{os.path.basename(src)}: cell {index} failed:\n{text}", file=sys.stderr)
                sys.exit(1)
    finally:
        kernel.__exit__(None, None, None)


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
