"""Screenshot the built docs in headless Chromium, and check what a reader would see.

Serves the built site (``docs/_build/html`` by default) on localhost with
``python -m http.server``, opens each page in a fresh Chromium profile with every
request outside localhost blocked, and writes one PNG per page. For each page it
reports what went wrong that a picture may hide: formulas MathJax could not
typeset, and content wider than its column (code or tables running off the page).

MathJax comes from a CDN in the built pages. Offline, pass ``--mathjax DIR``, a
``node_modules`` folder holding the same packages (``npm install mathjax@4``), and
requests to the CDN are answered from it; without it, formulas stay untypeset.

Needs ``pip install playwright`` and a Chromium (Debian: ``apt-get install chromium``).

Run: ``python docs/screenshots.py [--html DIR] [--out DIR] [--mathjax DIR]``
"""

import argparse
import contextlib
import io
import mimetypes
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# name -> page (and the anchor to scroll to); what the issue asked to check
PAGES = {
    "index": "index.html",
    "engine_math": "engine.html#dense-skscratch-layers-dense-py",
    "api_mlpfromscratch": "generated/skscratch.MLPFromScratch.html",
    "gallery_index": "auto_examples/index.html",
    "gallery_convnet": "auto_examples/convnet_digits.html#sphx-glr-auto-examples-convnet-digits-py",
}
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
CDN = "https://cdn.jsdelivr.net/npm/"
# what the page reports: typeset formulas, MathJax errors, boxes wider than the article
PAGE_CHECKS = """() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const right = article.getBoundingClientRect().right + 1;
  const wide = [...article.querySelectorAll('pre, table, img, mjx-container, p, li')]
    .filter(e => e.getBoundingClientRect().right > right && e.offsetParent !== null)
    .map(e => e.tagName.toLowerCase() + ': ' + (e.textContent || e.src || '').slice(0, 50));
  return {formulas: document.querySelectorAll('mjx-container').length,
          errors: document.querySelectorAll('mjx-merror').length,
          raw_math: document.querySelectorAll('.math:not(:has(mjx-container))').length,
          too_wide: wide, page_width: document.documentElement.scrollWidth,
          window_width: window.innerWidth};
}"""


def _free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(html_dir):
    """Serve ``html_dir`` on a free localhost port; yield the base URL."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(html_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):           # wait until it answers, at most 10 s
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _router(base, mathjax_dir):
    """Let localhost through, answer CDN npm requests from ``mathjax_dir``, block the rest."""
    def route(route):
        url = route.request.url
        if url.startswith(base):
            return route.continue_()
        if mathjax_dir and url.startswith(CDN):
            # npm/<package>@<version>/<path> -> node_modules/<package>/<path>
            spec, _, path = url[len(CDN):].split("?")[0].partition("/")
            if spec.startswith("@"):                       # a scoped package
                scope_name, _, path = path.partition("/")
                spec = f"{spec}/{scope_name}"
            local = Path(mathjax_dir, spec.rsplit("@", 1)[0], path)
            if local.is_file():
                kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
                return route.fulfill(body=local.read_bytes(), content_type=kind)
        return route.abort()
    return route


def _shrink(png_bytes, path):
    """Write the PNG with a 64-colour palette: a fraction of the size, same look for docs."""
    try:
        from PIL import Image
    except ImportError:
        path.write_bytes(png_bytes)
        return
    image = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    image.quantize(64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def take(html_dir, out_dir, mathjax_dir=None, chromium="/usr/bin/chromium",
         size=(1280, 860), pages=PAGES):
    """Screenshot ``pages`` of the site in ``html_dir`` into ``out_dir``; return the checks."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    report = {}
    with serve(html_dir) as base, sync_playwright() as pw, \
            tempfile.TemporaryDirectory(prefix="skscratch-chromium-") as profile:
        browser = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": size[0], "height": size[1]})
        browser.route("**/*", _router(base, mathjax_dir))
        page = browser.new_page()
        for name, address in pages.items():
            page.goto(base + address, wait_until="networkidle")
            # MathJax typesets after load; wait for it when the page uses it
            page.evaluate("() => window.MathJax?.startup?.promise")
            page.wait_for_timeout(300)
            report[name] = page.evaluate(PAGE_CHECKS)
            _shrink(page.screenshot(), out_dir / f"{name}.png")
        browser.close()
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=DOCS / "_build" / "html",
                        help="the built site (default: docs/_build/html)")
    parser.add_argument("--out", type=Path, default=DOCS / "_static" / "screenshots",
                        help="where the PNGs go (default: docs/_static/screenshots)")
    parser.add_argument("--mathjax", type=Path, default=None,
                        help="a node_modules folder with mathjax, to typeset offline")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").is_file():
        parser.error(f"{args.html} holds no built site: build the docs first")
    report = take(args.html, args.out, args.mathjax, args.chromium)
    problems = 0
    for name, checks in report.items():
        size = (args.out / f"{name}.png").stat().st_size
        print(f"{name}.png ({size / 1024:.0f} KB): {checks['formulas']} formulas typeset, "
              f"{checks['errors']} MathJax errors, {checks['raw_math']} untypeset, "
              f"page {checks['page_width']} px wide in a {checks['window_width']} px window")
        for item in checks["too_wide"]:
            print(f"    wider than the article: {item}")
        problems += checks["errors"] + checks["raw_math"] + len(checks["too_wide"]) + (
            checks["page_width"] > checks["window_width"])
    return problems


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
