"""Client ID Metadata Documents served over https on 127.0.0.1, for the
demo to fetch (--client-documents loopback --document-ca-file CERT): a
self-signed certificate made with the openssl command, a threaded server
answering each path from a table, and the paths it was asked for."""

import http.server
import json
import os
import ssl
import subprocess
import threading


class DocumentServer:
    """documents maps a path to a JSON document (served 200, max-age=60) or
    to (status, headers, body bytes) as they are to be answered."""

    def __init__(self, tmp):
        self.cert = os.path.join(tmp, "documents.pem")
        key = os.path.join(tmp, "documents.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                        "-out", self.cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        self.documents = {}
        self.fetched = []
        documents, fetched = self.documents, self.fetched

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                fetched.append(self.path)
                answer = documents.get(self.path, (404, {}, b"{}"))
                if isinstance(answer, dict):
                    answer = (200, {"Cache-Control": "max-age=60"},
                              json.dumps(answer).encode())
                status, headers, body = answer
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return "https://127.0.0.1:%d%s" % (self.httpd.server_address[1], path)

    def client(self, path, redirect_uri, **extra):
        """Serve at path a public client's document; returns its URL."""
        url = self.url(path)
        self.documents[path] = dict({
            "client_id": url, "client_name": "proauth2 e2e (metadata document)",
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"], "token_endpoint_auth_method": "none",
        }, **extra)
        return url

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
