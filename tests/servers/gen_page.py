#!/usr/bin/env python3
"""gen_page.py - print src/server/page.h from tests/servers/page.html."""
import os
HERE = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(HERE, "page.html"), encoding="utf-8").read()
print("/*\n * page.h - the single page of `kensa serve` (GET /), as one C string.\n *")
print(" * Drop, choose or paste a mail; the page POSTs it to /v1/analyze?format=html")
print(" * and shows the report in a sandboxed iframe (srcdoc). /?demo=1 posts the")
print(" * bundled sample at load (tests/servers.sh drives it with headless Chromium).")
print(" * No external assets. Generated from tests/servers/page.html by")
print(" *   python3 tests/servers/gen_page.py > src/server/page.h\n */")
print("#ifndef KENSA_SERVER_PAGE_H\n#define KENSA_SERVER_PAGE_H\n")
print("static const char KENSA_PAGE_HTML[] =")
lines = src.split("\n")
if lines and lines[-1] == "":
    lines.pop()
for i, line in enumerate(lines):
    esc = line.replace("\\", "\\\\").replace('"', '\\"')
    end = ";" if i == len(lines) - 1 else ""
    print('    "' + esc + '\\n"' + end)
print("\n#endif")
