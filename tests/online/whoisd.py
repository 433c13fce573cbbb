#!/usr/bin/env python3
"""whoisd.py PORT - a tiny WHOIS responder (RFC 3912) on 127.0.0.1 for
tests/online.sh: JPRS-style answers for .jp names, gTLD style otherwise."""
import socketserver
import sys

JPRS = """[ JPRS database provides information on network administration. ]
Domain Information: [ドメイン情報]
[Domain Name]                   %s
[登録者名]                      テスト株式会社
[Name Server]                   ns1.example.net
[登録年月日]                    1999/04/01
[有効期限]                      2026/04/30
[状態]                          Active
"""
GTLD = """Domain Name: %s
Registry Domain ID: 1234_DOMAIN
Creation Date: 2026-01-20T03:04:05Z
Registrar: Test Registrar
"""


class H(socketserver.StreamRequestHandler):
    def handle(self):
        q = self.rfile.readline(300).decode("utf-8", "replace").strip()
        if q.endswith(".jp"):
            ans = JPRS % q.upper()
        elif q.startswith("nodate."):
            ans = "No match for %s\n" % q
        else:
            ans = GTLD % q.upper()
        self.wfile.write(ans.encode("utf-8"))


class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
