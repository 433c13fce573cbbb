#!/usr/bin/env python3
"""httpd.py PORT ROOT - loopback HTTP server for tests/online.sh.

Serves RDAP JSON from ROOT/rdap/domain/NAME (404 + RDAP error otherwise), a
redirect chain /0zOog1 -> /r2 -> http://login.threnodycode.cfd:PORT/login and a
fake login page. Binds 127.0.0.1 only."""
import http.server
import os
import socketserver
import sys

PORT = int(sys.argv[1])
ROOT = sys.argv[2]

LOGIN = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>マネックス証券 ログイン</title>
<style>body{margin:0;background:#0b3d91;font-family:sans-serif}
.box{margin:80px auto;width:420px;background:#fff;padding:32px;border-top:12px solid #f5a623}
h1{color:#0b3d91}input{display:block;width:100%;margin:8px 0;padding:8px}
button{background:#f5a623;border:0;padding:12px 40px;font-size:18px}</style></head>
<body><div class="box"><h1>マネックス証券</h1><p>多要素認証の設定</p>
<form action="/post" method="post"><input name="id" placeholder="ログインID">
<input name="pw" type="password" placeholder="パスワード"><button>ログイン</button></form>
<script>document.title = "scripts must not run in the site check";</script>
</div></body></html>"""


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8", loc=None):
        b = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        if loc:
            self.send_header("Location", loc)
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        p = self.path.split("?")[0]
        if p.startswith("/rdap/domain/"):
            name = os.path.basename(p)
            f = os.path.join(ROOT, "rdap", "domain", name)
            if os.path.isfile(f):
                with open(f, encoding="utf-8") as fh:
                    return self.send(200, fh.read(), "application/rdap+json")
            return self.send(404, '{"errorCode":404,"title":"Not Found"}', "application/rdap+json")
        if p == "/0zOog1":
            return self.send(302, "", loc="/r2")
        if p == "/r2":
            return self.send(301, "", loc="http://login.threnodycode.cfd:%d/login" % PORT)
        if p == "/login":
            return self.send(200, LOGIN)
        return self.send(404, "<title>404</title>not found")


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


S(("127.0.0.1", PORT), H).serve_forever()
