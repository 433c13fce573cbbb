#!/usr/bin/env python3
"""mbox_split_check.py KENSA DIR - kensa's mbox splitter against the simple rule.

Writes random mailboxes (LF, CR and CRLF line breaks mixed, "From " at and off
line starts, empty lines of every kind) to DIR, runs `KENSA analyze --format
ndjson` over all of them, and compares each record's source (path#k, size,
sha256) with a line-by-line walk: a message's body starts after its "From "
line; the next message starts at a "From " line that follows an empty line.
Prints one line and exits 1 on the first difference.
"""
import hashlib, json, os, random, subprocess, sys

def next_line(b, i):
    n = len(b)
    while i < n and b[i] not in b'\r\n':
        i += 1
    if i < n and b[i] == 13:
        i += 1
        if i < n and b[i] == 10:
            i += 1
    elif i < n:
        i += 1
    return i

def split(b):
    out, s, n = [], 0, len(b)
    while s < n:
        body = next_line(b, s)
        i, e, prev_empty = body, n, False
        while i < n:
            if prev_empty and b[i:i + 5] == b'From ':
                e = i
                break
            prev_empty = b[i] in b'\r\n'
            i = next_line(b, i)
        out.append(b[body:e])
        s = e
    return out

def main():
    kensa, d = sys.argv[1], sys.argv[2]
    rnd = random.Random(8)
    pieces = [b'\n', b'\r', b'\r\n', b'From ', b'From x\n', b'Subject: s', b'x', b'From: a@b\n', b' ']
    files = []
    for k in range(300):
        body = b''.join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 60)))
        data = b'From a@b Mon May  4 15:48:28 2026\n' + body
        path = os.path.join(d, 'm%03d.mbox' % k)
        with open(path, 'wb') as f:
            f.write(data)
        files.append((path, data))
    r = subprocess.run([kensa, 'analyze', '--format', 'ndjson'] + [p for p, _ in files],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    got = [json.loads(l)['source'] for l in r.stdout.decode().splitlines()]
    want = []
    for path, data in files:
        msgs = split(data)
        for k, m in enumerate(msgs):
            label = path if len(msgs) == 1 else '%s#%d' % (path, k + 1)
            want.append((label, len(m), hashlib.sha256(m).hexdigest()))
    if len(got) != len(want):
        print('mbox split: %d records, expected %d' % (len(got), len(want)))
        return 1
    for g, w in zip(got, want):
        if (g.get('path'), g.get('size'), g.get('sha256')) != w:
            print('mbox split: %s differs: got %r' % (w, g))
            return 1
    print('mbox split: %d records from %d mailboxes as the line walk gives' % (len(got), len(files)))
    return 0

sys.exit(main())
