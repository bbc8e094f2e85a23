import { generatedHeader, lines } from "./text";

/** Where hosts keep the demo backend server. */
export const DEMO_BACKEND_PATH = "/usr/local/bin/ha-demo-backend";

/**
 * A small HTTP server (Python standard library only) that stands in for an application: it
 * answers every GET with its host name, so a client can see which backend served it. Port and
 * name come from the command line: `ha-demo-backend PORT NAME`.
 */
export function renderDemoBackend(): string {
  return lines(
    "#!/usr/bin/python3",
    generatedHeader("#"),
    "import http.server",
    "import socketserver",
    "import sys",
    "",
    "PORT = int(sys.argv[1])",
    "NAME = sys.argv[2].encode()",
    "",
    "",
    "class Handler(http.server.BaseHTTPRequestHandler):",
    '    protocol_version = "HTTP/1.1"',
    "",
    "    def do_GET(self):",
    '        body = NAME + b"\\n"',
    "        self.send_response(200)",
    '        self.send_header("Content-Type", "text/plain")',
    '        self.send_header("Content-Length", str(len(body)))',
    '        self.send_header("X-Served-By", NAME.decode())',
    "        self.end_headers()",
    "        self.wfile.write(body)",
    "",
    "    def do_HEAD(self):",
    "        self.send_response(200)",
    '        self.send_header("Content-Length", "0")',
    "        self.end_headers()",
    "",
    "    def log_message(self, *args):",
    "        pass",
    "",
    "",
    "class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):",
    "    daemon_threads = True",
    "    allow_reuse_address = True",
    "",
    "",
    'Server(("0.0.0.0", PORT), Handler).serve_forever()',
  );
}
