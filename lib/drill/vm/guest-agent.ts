/**
 * The command agent, PID 1 of the guest (Python, which the guest has from the host's root).
 * It forks: the parent reaps every orphan and ends the VM when the agent ends; the child
 * serves JSON lines on the virtio-serial port `ha.ctl`:
 * - `{"op":"ping","id"}` -> `{"id","pong":true}`
 * - `{"op":"exec","id","argv","stdin"?,"env"?,"cwd"?,"timeoutMs"?}` ->
 *   `{"id","code","signal","timedOut","stdout","stderr"}` (outputs in base64)
 * - `{"op":"spawn","id","argv","env"?,"cwd"?,"stdin"?}` -> `{"id","pid"}`, then
 *   `{"proc":id,"stream","data"}` as it prints and `{"proc":id,"exit","signal"}` when it ends;
 *   with `"stdin":true` its standard input is a pipe, else /dev/null
 * - `{"op":"input","id","proc","data"}` -> `{"id","ok":true}`: `data` (base64) written to the
 *   process's standard input; `{"op":"input","id","proc","close":true}` closes it
 * - `{"op":"signal","id","proc","signal"}` -> `{"id","ok":true}`
 * On start it sends `{"ready":true,"uptime","bootErrors"}` (what stage 2 could not do). Commands
 * get the open-files limit a container gets (1048576).
 */

/** Name of the virtio-serial port of the command channel. */
export const CONTROL_PORT = "ha.ctl";

/** The agent's source. */
export const GUEST_AGENT = `import base64, glob, json, os, resource, signal, subprocess, sys, threading, time

PORT = "${CONTROL_PORT}"
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
       "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb"}
PIPE = subprocess.PIPE
procs = {}


def b64(data):
    return base64.b64encode(data or b"").decode()


def port_path():
    for _ in range(200):
        for d in sorted(glob.glob("/sys/class/virtio-ports/*")):
            try:
                with open(d + "/name") as f:
                    if f.read().strip() == PORT:
                        return "/dev/" + os.path.basename(d)
            except OSError:
                pass
        time.sleep(0.05)
    raise SystemExit("no virtio port " + PORT)


class Channel:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR)
        self.lock = threading.Lock()

    def send(self, msg):
        view = memoryview((json.dumps(msg) + "\\n").encode())
        with self.lock:
            while view:
                view = view[os.write(self.fd, view):]

    def lines(self):
        buf = b""
        while True:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                time.sleep(0.05)
                continue
            buf += chunk
            while b"\\n" in buf:
                line, buf = buf.split(b"\\n", 1)
                if line.strip():
                    yield line


def ended(code):
    return {"code": code if code >= 0 else None,
            "signal": signal.Signals(-code).name if code < 0 else None}


def start(req, stdin):
    return subprocess.Popen(req["argv"], stdin=stdin, stdout=PIPE, stderr=PIPE,
                            env=dict(ENV, **req.get("env", {})), cwd=req.get("cwd") or "/",
                            start_new_session=True)


def run(ch, req):
    data = base64.b64decode(req["stdin"]) if req.get("stdin") is not None else None
    try:
        p = start(req, PIPE if data is not None else subprocess.DEVNULL)
    except OSError as e:
        msg = "%s: %s\\n" % (req["argv"][0], e.strerror)
        ch.send({"id": req["id"], "code": 127, "signal": None, "timedOut": False,
                 "stdout": "", "stderr": b64(msg.encode())})
        return
    timeout = req.get("timeoutMs")
    timed_out = False
    try:
        out, err = p.communicate(data, timeout=timeout / 1000 if timeout else None)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    ch.send(dict(ended(p.returncode), id=req["id"], timedOut=timed_out,
                 stdout=b64(out), stderr=b64(err)))


def pump(ch, rid, stream, name):
    for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
        ch.send({"proc": rid, "stream": name, "data": b64(chunk)})


def spawn(ch, req):
    rid = req["id"]
    try:
        p = start(req, PIPE if req.get("stdin") is True else subprocess.DEVNULL)
    except OSError as e:
        ch.send({"id": rid, "error": "%s: %s" % (req["argv"][0], e.strerror)})
        return
    procs[rid] = p
    ch.send({"id": rid, "pid": p.pid})
    pumps = [threading.Thread(target=pump, args=(ch, rid, s, n), daemon=True)
             for s, n in ((p.stdout, "stdout"), (p.stderr, "stderr"))]
    for t in pumps:
        t.start()
    p.wait()
    for t in pumps:
        t.join(2)
    procs.pop(rid, None)
    ch.send(dict(ended(p.returncode), proc=rid, exit=True))


def send_signal(ch, req):
    p = procs.get(req["proc"])
    if p is None:
        ch.send({"id": req["id"], "error": "no process %s" % req["proc"]})
        return
    try:
        os.killpg(p.pid, getattr(signal, req["signal"]))
    except ProcessLookupError:
        pass
    ch.send({"id": req["id"], "ok": True})


def send_input(ch, req):
    p = procs.get(req["proc"])
    if p is None or p.stdin is None:
        ch.send({"id": req["id"], "error": "no process %s with a standard input" % req["proc"]})
        return
    try:
        if req.get("close"):
            p.stdin.close()
        else:
            p.stdin.write(base64.b64decode(req["data"]))
            p.stdin.flush()
    except (BrokenPipeError, ValueError):
        ch.send({"id": req["id"], "error": "process %s no longer reads its input" % req["proc"]})
        return
    ch.send({"id": req["id"], "ok": True})


OPS = {"exec": run, "spawn": spawn, "signal": send_signal, "input": send_input,
       "ping": lambda ch, req: ch.send({"id": req["id"], "pong": True})}


def handle(ch, line):
    req = json.loads(line)
    try:
        OPS[req["op"]](ch, req)
    except Exception as e:
        ch.send({"id": req.get("id"), "error": "%s: %s" % (type(e).__name__, e)})


def serve():
    ch = Channel(port_path())
    try:
        with open("/run/ha-vm-boot-errors") as f:
            errors = f.read()
    except OSError:
        errors = ""
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    ch.send({"ready": True, "uptime": uptime, "bootErrors": errors})
    for line in ch.lines():
        threading.Thread(target=handle, args=(ch, line), daemon=True).start()


def main():
    # Open files as a container gets them (Docker: 1048576), not the kernel's hard limit of 4096:
    # HAProxy raises its own limit to what its maxconn needs and stops when it cannot.
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1048576, 1048576))
    except (ValueError, OSError):
        pass
    if os.getpid() == 1:
        agent = os.fork()
        if agent:
            while True:
                try:
                    pid, _ = os.wait()
                except ChildProcessError:
                    time.sleep(1)
                    continue
                if pid == agent:
                    sys.exit("ha-vm: the agent ended")
    serve()


main()
`;
