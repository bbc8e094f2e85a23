/**
 * The server a lab runs for a container that has no command of its own (its image's entry point
 * is unknown to the drill) when a load balancer sends traffic to it: it answers every HTTP
 * request, whatever the method, with its host name in the body and in `X-Served-By`.
 */

/** Where the lab places the stand-in inside a host. */
export const STAND_IN_PATH = "/usr/local/lib/ha-drill/stand-in.py";

/** The stand-in's command line: `python3 STAND_IN_PATH PORT NAME`. */
export function standInCommand(port: number, name: string): string[] {
  return ["/usr/bin/python3", STAND_IN_PATH, String(port), name];
}

export const STAND_IN_PY = String.raw`#!/usr/bin/python3
# ha-drill stand-in: answers any request with the host name (X-Served-By).
import http.server, socketserver, sys

port, name = int(sys.argv[1]), sys.argv[2]

class Answer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = ("%s\n" % name).encode() if self.command != "HEAD" else b""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Served-By", name)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = answer

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = name, port

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)

Server(("0.0.0.0", port), Answer).serve_forever()
`;
