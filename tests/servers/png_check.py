#!/usr/bin/env python3
"""png_check.py FILE - exit 0 when FILE is a PNG that is not blank: a valid
signature, a sane size, and its decoded pixels hold many distinct colours
(a page with a rendered report has text, borders and a coloured header)."""
import struct
import sys
import zlib


def main(path):
    data = open(path, "rb").read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "not a PNG"
    pos, idat, w, h, ctype, depth = 8, b"", 0, 0, 0, 0
    while pos < len(data):
        (ln,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + ln]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + ln
    if w < 200 or h < 200 or depth != 8 or ctype not in (2, 6):
        return "unexpected geometry %dx%d depth %d type %d" % (w, h, depth, ctype)
    raw = zlib.decompress(idat)
    bpp = 3 if ctype == 2 else 4
    stride = w * bpp
    colours = set()
    # sample the unfiltered bytes row by row (filters change values but a blank
    # image still gives almost nothing distinct); cheap and dependency-free
    for y in range(0, h, 7):
        row = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        for x in range(0, w, 5):
            colours.add(row[x * bpp:x * bpp + 3])
    if len(colours) < 50:
        return "blank-looking: %d distinct samples" % len(colours)
    return None


if __name__ == "__main__":
    why = main(sys.argv[1])
    if why:
        print("png_check: %s: %s" % (sys.argv[1], why), file=sys.stderr)
        sys.exit(1)
