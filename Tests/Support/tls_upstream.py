#!/usr/bin/env python3
"""A minimal HTTPS upstream for TLS tests: answers every POST with 200 naming its batch_seq (or 401 without the
expected bearer token). Prints the bound port on stdout, then serves until killed.

Usage: tls_upstream.py CERT KEY PORT_FILE [--client-ca CA] [--token TOKEN]
(the port is also written to PORT_FILE, atomically)
"""
import argparse, http.server, json, os, ssl, sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cert")
    parser.add_argument("key")
    parser.add_argument("port_file")
    parser.add_argument("--client-ca")
    parser.add_argument("--token")
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            sent = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if args.token and self.headers.get("Authorization") != f"Bearer {args.token}":
                self.send_response(401)
                body = b'{"error":"unauthorized"}'
            else:
                self.send_response(200)
                # Names the batch, as an acknowledgement must (DESIGN.md).
                batch_seq = json.loads(sent or b"{}").get("batch_seq")
                body = json.dumps({"status": "accepted", "batch_seq": batch_seq}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    with open(args.port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
