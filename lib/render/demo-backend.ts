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
    "    def server_bind(self):",
    "        # HTTPServer looks up the bind address's FQDN here; with a slow or absent resolver that",
    "        # delays listening by seconds. The name is known: use it.",
    "        socketserver.TCPServer.server_bind(self)",
    "        self.server_name = NAME.decode()",
    "        self.server_port = self.server_address[1]",
    "",
    "    def handle_error(self, request, client_address):",
    "        # Health checkers close connections abruptly; that is not an error worth a traceback.",
    "        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):",
    "            return",
    "        super().handle_error(request, client_address)",
    "",
    "",
    'Server(("0.0.0.0", PORT), Handler).serve_forever()',
  );
}
