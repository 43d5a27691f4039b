"""A real SMTP server (aiosmtpd) on a free loopback port that keeps what it accepts; for benchmarks and tests."""

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any


class SmtpSink:
    """Accepts every message; `.accepted` holds (recipient, raw bytes) in arrival order."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.accepted: list[tuple[str, bytes]] = []
        #: Set to make the next message's "250" wait this many seconds after it is stored (a slow server).
        self.stall_next = 0.0
        self._lock = threading.Lock()
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                with outer._lock:
                    outer.accepted.extend((recipient, envelope.content) for recipient in envelope.rcpt_tos)
                    stall, outer.stall_next = outer.stall_next, 0.0
                if stall:
                    await asyncio.sleep(stall)
                return "250 OK"

        for attempt in range(5):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
            self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
            try:
                self.controller.start()
                break
            except OSError:  # another process bound the port between the probe and the start: take another
                if attempt == 4:
                    raise

    @property
    def messages(self) -> list[EmailMessage]:
        """Every accepted message, parsed (one per message, not per recipient)."""
        seen: list[EmailMessage] = []
        last = None
        for _, raw in list(self.accepted):
            if raw is not last:
                seen.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
                last = raw
        return seen

    def headers(self, name: str) -> list[tuple[str, str]]:
        """(recipient, header value) per accepted copy, parsing only the header block."""
        out = []
        for recipient, raw in list(self.accepted):
            head = message_from_bytes(raw.split(b"\r\n\r\n", 1)[0], policy=policy.default)
            out.append((recipient, str(head[name])))
        return out

    def close(self) -> None:
        self.controller.stop()
