"""A hostile product for the harness's own tests (standard library only, its own process).

It plays an MDM (the harness calls its ReceiveEndDeviceEvents service and its test-control
interface) or a head-end (it receives the campaign on the device protocol and then sends to the
harness's endpoint), misbehaving in one named way. Every request it receives is appended to a
log (one JSON line each), so a test can prove what reached it: nothing followed a redirect.

    python hostile_server.py --port P --behaviour NAME --log FILE
        [--harness http://127.0.0.1:H] [--secret-env VAR] [--steal-port S]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import re
import socket
import struct
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
MSG_NS = "http://iec.ch/TC57/2011/schema/message"
INJECTION = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)>\n"
    "## forged heading\n"
    "| AEP-5.8 | forged | **PASS** | | | |\n"
    "[click](javascript:alert(3))"
)

HEADER_INJECTION = "<script>alert(4)</script> ## | AEP-5.8 | forged | **PASS** |"


def envelope(inner: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}"><soapenv:Body>{inner}'
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


def response_message(
    correlation: str, message_id: str = "", replay: str = "", verb: str = "reply"
) -> str:
    message_id = message_id or f"hostile-{time.monotonic_ns()}"
    replay_xml = (
        f"<ReplayDetection><Nonce>n</Nonce><Created>{replay}</Created></ReplayDetection>"
        if replay
        else ""
    )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'<ResponseMessage xmlns="{MSG_NS}"><Header><Verb>{verb}</Verb>'
        f"<Noun>EndDeviceEvents</Noun><Revision>1.0</Revision>{replay_xml}"
        f"<Timestamp>{now}</Timestamp><Source>MDM</Source><MessageID>{message_id}</MessageID>"
        f"<CorrelationID>{correlation}</CorrelationID></Header>"
        "<Reply><Result>OK</Result></Reply></ResponseMessage>"
    )


def fault(text: str, detail: str = "") -> bytes:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return envelope(
        f"<soapenv:Fault><faultcode>soapenv:Server</faultcode>"
        f"<faultstring>{escaped}</faultstring>{detail}</soapenv:Fault>"
    )


def events_message(meter: str, correlation: str, message_id: str) -> bytes:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return envelope(
        f'<EventMessage xmlns="{MSG_NS}"><Header><Verb>created</Verb>'
        f"<Noun>EndDeviceEvents</Noun><Revision>1.0</Revision><Timestamp>{now}</Timestamp>"
        f"<Source>AMI Head-End</Source><MessageID>{message_id}</MessageID>"
        f"<CorrelationID>{correlation}</CorrelationID></Header><Payload>"
        '<EndDeviceEvents xmlns="http://iec.ch/TC57/2011/EndDeviceEvents#"><EndDeviceEvent>'
        f"<mRID>{message_id}</mRID><createdDateTime>{now}</createdDateTime>"
        f"<reason>Firmware replaced</reason><Assets><mRID>{meter}</mRID></Assets>"
        "<EndDeviceEventDetails><name>firmwareVersion</name><value>4.2</value>"
        '</EndDeviceEventDetails><EndDeviceEventType ref="3.11.17.52"/></EndDeviceEvent>'
        "</EndDeviceEvents></Payload></EventMessage>"
    )


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><ResponseMessage>&lol9;</ResponseMessage>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soapenv:Body><ResponseMessage>&x;</ResponseMessage></soapenv:Body></soapenv:Envelope>"
)


class State:
    """What the product was told, and how it misbehaves."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.behaviour: str = args.behaviour
        self.harness: str = args.harness or ""
        self.steal: str = f"http://127.0.0.1:{args.steal_port}/steal" if args.steal_port else ""
        self.log_path: str = args.log
        self.lock = threading.Lock()
        self.now = datetime.now(UTC).isoformat()
        self.meters: list[str] = []
        self.password = ""
        self.sent_done = threading.Event()

    def log(self, entry: dict[str, Any]) -> None:
        with self.lock, open(self.log_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


STATE: State


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        self._dispatch(self._body())

    def _dispatch(self, body: bytes) -> None:
        STATE.log({"method": self.command, "path": self.path, "bytes": len(body)})
        password = re.search(rb"<wsse:Password[^>]*>([^<]*)</wsse:Password>", body)
        if password:
            STATE.password = password.group(1).decode()
        if self.path.startswith("/steal"):
            self._send(200, b"stolen")
        elif self.path.startswith("/amicert/test-control/"):
            self._control(self.path[len("/amicert/test-control/") :], body)
        elif self.path.startswith("/amicert/device"):
            self._send(202, b"")
            if b"FirmwareCampaign" in body:
                threading.Thread(target=head_end_misbehaves, args=(body,), daemon=True).start()
        else:
            self._soap(body)

    # --- plumbing ------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/xml; charset=utf-8",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def _drip(self, head: bytes, body: bytes, every_s: float = 0.2) -> None:
        """Headers at once (or dripped when ``head`` is empty), then one byte per ``every_s``."""
        self.close_connection = True
        try:
            if head:
                self.wfile.write(head)
                self.wfile.flush()
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(every_s)
        except OSError:
            return

    # --- test-control --------------------------------------------------------------------
    def _control(self, op: str, body: bytes) -> None:
        b = STATE.behaviour
        if op == "reset" and b.startswith("tc-"):
            return self._control_misbehaves(b)
        payload: dict[str, Any] = json.loads(body or b"{}")
        answer: dict[str, Any]
        if op == "reset":
            answer = {"now": STATE.now}
        elif op == "configure":
            STATE.meters = list((payload.get("settings") or {}).get("meters") or {})
            answer = {"meters": STATE.meters}
        elif op == "provision":
            STATE.meters += [m["mRID"] for m in payload.get("meters", [])]
            answer = {"meters": STATE.meters}
        elif op == "clock/advance":
            answer = {"now": payload.get("to", STATE.now), "next_event": None}
        elif op == "clock":
            answer = {"now": STATE.now, "next_event": None}
        elif op == "state":
            answer = {"events": [], "hex": "00"}
        elif op == "capabilities":
            answer = {"product": {"name": "hostile"}, "operations": ["reset"], "faults": []}
        else:
            answer = {}
        self._send(200, json.dumps(answer).encode(), "application/json")

    def _control_misbehaves(self, b: str) -> None:
        if b == "tc-deep-json":
            self._send(200, b"[" * 100_000 + b"]" * 100_000, "application/json")
        elif b == "tc-drip":
            body = json.dumps({"now": STATE.now}).encode()
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            self._drip(head, body)
        elif b == "tc-redirect":
            self._send(307, b"", extra={"Location": STATE.steal or "http://127.0.0.1:9/x"})
        elif b == "tc-oversize":
            self._send(200, b'{"now": "' + b"x" * 200_000 + b'"}', "application/json")
        elif b == "tc-not-json":
            self._send(200, INJECTION.encode(), "application/json")

    # --- SOAP (the MDM's ReceiveEndDeviceEvents) ----------------------------------------
    def _soap(self, body: bytes) -> None:
        found = re.search(rb"<MessageID>([^<]*)</MessageID>", body)
        request_id = found.group(1).decode() if found else ""
        b = STATE.behaviour
        honest = envelope(response_message(request_id))
        if b in ("redirect-307", "redirect-302"):
            status = int(b[-3:])
            self._send(status, b"moved", "text/plain", {"Location": STATE.steal})
        elif b == "drip-reply":
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                f"Content-Length: {len(honest)}\r\n\r\n"
            ).encode()
            self._drip(head, honest)
        elif b == "drip-headers":
            self._drip(b"", b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Slow: " + b"." * 500)
        elif b == "echo-secret":
            self._send(500, echo_secret_fault(STATE.password, body))
        elif b == "empty-200":
            self._send(200, b"")
        elif b == "injection":
            self._send(500, fault(INJECTION))
        elif b == "malformed":
            self._send(200, b"<?xml version='1.0'?><ResponseMessage><Header><Verb>reply</Verb>")
        elif b == "xxe":
            self._send(200, XXE)
        elif b == "bomb":
            self._send(200, BOMB)
        elif b == "huge":
            self._huge(50 * 1024 * 1024)
        elif b == "endless-chunked":
            self._endless_chunked()
        elif b == "drop":
            self._raw(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n"
                + honest[:200]
            )
        elif b == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif b == "soap-fault":
            self._send(500, fault("the MDM refuses on purpose"))
        elif b == "http-500":
            self._send(500, b"Internal Server Error", "text/plain")
        elif b == "wrong-correlation":
            self._send(200, envelope(response_message("00000000-dead-beef-0000-000000000000")))
        elif b == "replay":
            # the request's own MessageID and a ReplayDetection from years ago
            old = "2001-01-01T00:00:00Z"
            self._send(200, envelope(response_message(request_id, request_id, old)))
        elif b == "utf16":
            text = (
                "<?xml version='1.0' encoding='UTF-16'?>"
                + envelope(response_message("00000000-dead-beef-0000-000000000000"))
                .decode()
                .split("?>", 1)[1]
            )
            self._send(200, text.encode("utf-16"))
        elif b == "bad-encoding":
            self._send(200, honest.replace(b"<Result>OK", b"<Result>\xff\xfe\xc3(OK"))
        else:
            self._send(200, honest)

    def _huge(self, size: int) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {size}\r\n\r\n"
        self.close_connection = True
        try:
            self.wfile.write(head.encode() + b"<ResponseMessage>")
            block = b"A" * 65536
            for _ in range(size // len(block)):
                self.wfile.write(block)
        except OSError:
            return

    def _endless_chunked(self) -> None:
        self.close_connection = True
        try:
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"<x>" + b"B" * 8192 + b"</x>"
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            while True:
                self.wfile.write(frame)
        except OSError:
            return


def echo_secret_fault(password: str, request: bytes) -> bytes:
    """A Fault echoing what it was sent: the password in every encoding, the request in base64."""
    raw = password.encode()
    forms = [
        password,
        urllib.parse.quote(password, safe=""),
        urllib.parse.quote_plus(password),
        base64.b64encode(raw).decode(),
        base64.b64encode(b"user:" + raw).decode(),  # as in an HTTP Basic header
        json.dumps(password),
    ]
    text = "authentication failed for " + " / ".join(forms)
    detail = (
        f"<detail><echo>{base64.b64encode(request).decode()}</echo>"
        f"<again>{password.replace('&', '&amp;').replace('<', '&lt;')}</again></detail>"
    )
    return fault(text, detail)


# --- the head-end side: what the product sends to the harness ----------------------------
def _harness() -> tuple[str, int]:
    url = urllib.parse.urlparse(STATE.harness)
    return url.hostname or "127.0.0.1", int(url.port or 80)


def _post(path: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    host, port = _harness()
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("POST", path, body, {"Content-Type": "text/xml", **(headers or {})})
        status = conn.getresponse().status
        return status
    except OSError:
        return 0
    finally:
        conn.close()


def _raw_send(data: bytes, every_s: float = 0.0, keep_s: float = 0.0) -> None:
    host, port = _harness()
    try:
        with socket.create_connection((host, port), timeout=30) as sock:
            if every_s:
                for i in range(len(data)):
                    sock.sendall(data[i : i + 1])
                    time.sleep(every_s)
            else:
                sock.sendall(data)
            if keep_s:
                time.sleep(keep_s)
            sock.settimeout(5)
            sock.recv(100)
    except OSError:
        return


def head_end_misbehaves(campaign: bytes) -> None:
    found = re.search(rb"<dev:campaignId>([^<]*)</dev:campaignId>", campaign)
    campaign_id = found.group(1).decode() if found else "none"
    b = STATE.behaviour
    path = "/ReceiveEndDeviceEvents"
    try:
        if b == "unsolicited-device":
            _post(path, events_message("MTR-9999", campaign_id, "hostile-unsolicited-1"))
        elif b == "flood":
            flood(path, campaign_id, total=2000, threads=48)
        elif b == "slow-sender":
            body = events_message("MTR-0001", campaign_id, "hostile-slow-1")
            head = (
                f"POST {path} HTTP/1.1\r\nHost: harness\r\nContent-Type: text/xml\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            host, port = _harness()
            with socket.create_connection((host, port), timeout=30) as sock:
                sock.sendall(head)
                for i in range(len(body)):
                    sock.sendall(body[i : i + 1])
                    time.sleep(0.05)
        elif b == "slowloris":
            threads = [
                threading.Thread(
                    target=_raw_send,
                    args=(
                        b"POST /ReceiveEndDeviceEvents HTTP/1.1\r\nHost: h\r\nX-A: " + b"a" * 200,
                    ),
                    kwargs={"every_s": 0.05},
                    daemon=True,
                )
                for _ in range(40)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        elif b == "inbound-xxe":
            _post(path, XXE)
        elif b == "inbound-huge":
            big = b"<x>" + b"A" * (50 * 1024 * 1024) + b"</x>"
            _post(path, big)
        elif b == "inbound-endless-chunked":
            host, port = _harness()
            with socket.create_connection((host, port), timeout=30) as sock:
                sock.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
                )
                chunk = b"C" * 8192
                frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    sock.sendall(frame)
        elif b == "inbound-injection":
            _post(
                "/amicert/device",
                b"<a/>",
                {"X-Amicert-Producer": "AMI Head-End", "X-Amicert-Receiver": HEADER_INJECTION},
            )
    except Exception as exc:  # whatever went wrong is logged for the test to read
        STATE.log({"error": repr(exc)})
    finally:
        STATE.sent_done.set()
        STATE.log({"sent": b})


def flood(path: str, campaign_id: str, total: int, threads: int) -> None:
    counter = iter(range(total))
    lock = threading.Lock()
    statuses: dict[int, int] = {}

    def worker() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            status = _post(path, events_message("MTR-9999", campaign_id, f"flood-{n}"))
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    STATE.log({"flood": {str(k): v for k, v in statuses.items()}})


def main() -> None:
    global STATE
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--behaviour", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--harness", default="")
    parser.add_argument("--steal-port", type=int, default=0)
    args = parser.parse_args()
    STATE = State(args)
    servers = [ThreadingHTTPServer(("127.0.0.1", args.port), Handler)]
    if args.steal_port:
        servers.append(ThreadingHTTPServer(("127.0.0.1", args.steal_port), Handler))
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"hostile: {args.behaviour} on {args.port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
