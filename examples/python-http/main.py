"""A small HTTP service using a site-packages dependency (greeting, shipped in vendor/)."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import greeting


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{greeting.greet('python-http')} uid={os.getuid()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"python-http listening on {port}", flush=True)
    HTTPServer(("0.0.0.0", port), Handler).serve_forever()
