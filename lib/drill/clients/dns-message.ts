/**
 * DNS on the wire, in the Python the DNS client's probe process runs (standard library only): a
 * query for one name and type (RFC 1035, recursion desired, no EDNS, so a server truncates an
 * answer over 512 bytes), the checks a stub resolver makes of a reply (its id, that it is a
 * response, and that its question is ours), the addresses and TTL it carries, and one exchange
 * with a server: UDP on a new connected socket with a random id, and TCP again when the reply
 * is truncated.
 *
 * A connected UDP socket hears the ICMP error of a server whose port is closed, so such a
 * server fails at once (ConnectionRefusedError) instead of timing out, as with glibc.
 */

/** Defines `BadResponse`, `QTYPES`, `encode_query`, `parse_reply` and `ask`. */
export const DNS_MESSAGE_PY = String.raw`
import asyncio, random, socket, struct

QTYPES = {"A": 1, "AAAA": 28}
RNG = random.SystemRandom()

class BadResponse(Exception):
    pass

def encode_query(qid, name, qtype):
    labels = [label for label in name.rstrip(".").split(".") if label]
    qname = b"".join(bytes([len(label)]) + label.encode("ascii") for label in labels) + b"\x00"
    return struct.pack("!6H", qid, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!2H", qtype, 1)

def read_name(data, pos):
    labels, end, jumps = [], None, 0
    while True:
        if pos >= len(data):
            raise BadResponse("a name runs past the end of the message")
        n = data[pos]
        if n >= 0xC0:
            if pos + 1 >= len(data) or jumps >= 32:
                raise BadResponse("a compression pointer is cut off or loops")
            if end is None:
                end = pos + 2
            pos = ((n & 0x3F) << 8) | data[pos + 1]
            jumps += 1
        elif n >= 0x40:
            raise BadResponse("a label of unknown type")
        elif n == 0:
            return ".".join(labels), (pos + 1 if end is None else end)
        else:
            if pos + 1 + n > len(data):
                raise BadResponse("a label runs past the end of the message")
            labels.append(data[pos + 1:pos + 1 + n].decode("latin-1"))
            pos += 1 + n

def read_record(data, pos):
    _, pos = read_name(data, pos)
    if pos + 10 > len(data):
        raise BadResponse("a record runs past the end of the message")
    rtype, rclass, ttl, size = struct.unpack_from("!HHIH", data, pos)
    pos += 10
    if pos + size > len(data):
        raise BadResponse("a record's data runs past the end of the message")
    return (rtype, rclass, ttl, pos, size), pos + size

def same_name(a, b):
    return a.rstrip(".").lower() == b.rstrip(".").lower()

def parse_reply(data, qid, name, qtype):
    """rcode, tc, the sorted addresses of type qtype and the TTL of a reply to (qid, name, qtype)."""
    if len(data) < 12:
        raise BadResponse("%d bytes, shorter than a header" % len(data))
    rid, flags, qdcount, ancount, nscount, _ = struct.unpack_from("!6H", data, 0)
    if rid != qid:
        raise BadResponse("id %d, not the query's %d" % (rid, qid))
    if not flags & 0x8000:
        raise BadResponse("not a response")
    if qdcount != 1:
        raise BadResponse("%d questions, not 1" % qdcount)
    qname, pos = read_name(data, 12)
    if pos + 4 > len(data):
        raise BadResponse("the question runs past the end of the message")
    rtype, rclass = struct.unpack_from("!2H", data, pos)
    if not same_name(qname, name) or rtype != qtype or rclass != 1:
        raise BadResponse("the question %s/%d/%d, not %s/%d/1" % (qname, rtype, rclass, name, qtype))
    pos += 4
    reply = {"rcode": flags & 0x000F, "tc": bool(flags & 0x0200), "addresses": [], "ttl": None}
    if reply["tc"]:
        return reply
    family, size = (socket.AF_INET, 4) if qtype == 1 else (socket.AF_INET6, 16)
    ttls = []
    for _ in range(ancount):
        (rtype, rclass, ttl, at, length), pos = read_record(data, pos)
        if rtype == qtype and rclass == 1:
            if length != size:
                raise BadResponse("an address of %d bytes" % length)
            reply["addresses"].append(socket.inet_ntop(family, data[at:at + size]))
            ttls.append(ttl)
    if not ttls:
        # No address: the SOA in the authority section says how long the absence may be cached.
        for _ in range(nscount):
            (rtype, rclass, ttl, at, length), pos = read_record(data, pos)
            if rtype == 6 and rclass == 1 and length >= 22:
                ttls.append(min(ttl, struct.unpack_from("!I", data, at + length - 4)[0]))
    reply["addresses"].sort()
    reply["ttl"] = min(ttls) if ttls else None
    return reply

async def exchange_udp(server, port, name, qtype):
    qid = RNG.getrandbits(16)
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        sock.connect((server, port))
        await loop.sock_sendall(sock, encode_query(qid, name, qtype))
        data = await loop.sock_recv(sock, 65535)
    finally:
        sock.close()
    return parse_reply(data, qid, name, qtype)

async def exchange_tcp(server, port, name, qtype):
    qid = RNG.getrandbits(16)
    query = encode_query(qid, name, qtype)
    reader, writer = await asyncio.open_connection(server, port)
    try:
        writer.write(struct.pack("!H", len(query)) + query)
        await writer.drain()
        size = struct.unpack("!H", await reader.readexactly(2))[0]
        data = await reader.readexactly(size)
    finally:
        writer.close()
    reply = parse_reply(data, qid, name, qtype)
    if reply["tc"]:
        raise BadResponse("truncated over TCP")
    return reply

async def exchange(server, port, name, qtype):
    reply = await exchange_udp(server, port, name, qtype)
    if reply["tc"]:
        reply = await exchange_tcp(server, port, name, qtype)
        reply["tcp"] = True
    return reply

async def ask(server, port, name, qtype, wait=None):
    """One query to one server, bounded by wait seconds (None: by the caller's limit only)."""
    return await asyncio.wait_for(exchange(server, port, name, qtype), wait)
`;
