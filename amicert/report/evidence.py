"""Evidence: every captured message, byte for byte, streamed to disk as it is recorded.

Each scenario's messages go into one compressed archive (``exchanges.zip``) as they are recorded,
compressed and written by a thread of its own while the scenario runs (zlib and file writes use the
other core). When the scenario ends its index (producer, receiver, step, times, IDs, findings) is
written beside and into the archive. A small scenario is also laid out one file per message, which
is easier to browse; a fleet-sized one stays in the archive, from which ``amicert extract`` takes
any exchange by number.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amicert.transport.redact import Redactor

if TYPE_CHECKING:
    from amicert.trace import Exchange

ARCHIVE = "exchanges.zip"
INDEX = "index.json"
FILES_UP_TO = 500  # scenarios with at most this many exchanges also get one file per exchange


class EvidenceError(Exception):
    """An evidence folder or exchange that cannot be read: names what is missing."""


def slug(text: str, limit: int = 80) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:limit] or "x"


def member(seq: int) -> str:
    """The archive member holding exchange ``seq``."""
    return f"{seq:06d}.xml"


def file_name(x: Exchange) -> str:
    """The per-file layout's name for an exchange: number, step, producer, receiver."""
    return f"{x.seq:04d}-step{x.step or 'none'}-{slug(x.producer)}-to-{slug(x.receiver)}.xml"


def scenario_folder(base: Path, use_case: str, scenario_id: str, example: str | None) -> Path:
    """A folder of its own for each scenario run: outline examples never share one."""
    name = slug(scenario_id, 60) + (f"--{slug(example, 100)}" if example else "")
    folder = base / slug(use_case) / name
    n = 2
    while folder.exists():
        folder = base / slug(use_case) / f"{name}--{n}"
        n += 1
    return folder


QUEUE_LIMIT = 2048  # messages waiting for the writer: the producer waits beyond this
WRITER_WAIT_S = 120.0  # the longest the writer may take to accept a message or to finish


class EvidenceWriter:
    """Streams the exchanges of one scenario into its archive as they are recorded.

    The archive is also where a judged exchange's bytes are read back from (``read``): the
    exchange keeps its bytes only until it is judged and delivered. A message the writer has not
    written yet is served from the queue; one it failed to write stays in memory, and the failure
    is reported when the scenario ends (never a lost record).
    """

    def __init__(self, folder: Path, redactor: Redactor | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        # secrets out of every byte and text kept, the archive's included (no later sweep sees
        # inside compressed members)
        self.redactor = redactor if redactor is not None else Redactor.from_environment()
        self.count = 0
        self._zip: zipfile.ZipFile | None = zipfile.ZipFile(
            folder / ARCHIVE, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        )
        self._archive_lock = threading.Lock()  # one reader or the writer at a time
        self._lock = threading.Lock()  # guards _waiting (held briefly: never while compressing)
        self._waiting: dict[int, bytes] = {}  # queued, not yet in the archive
        self._queue: queue.Queue[int | None] = queue.Queue(QUEUE_LIMIT)
        self._failure: BaseException | None = None
        self._finished: dict[int, bytes] | None = None  # read back after the end (small layout)
        self._thread = threading.Thread(
            target=self._drain, name=f"evidence {folder.name}", daemon=True
        )
        self._thread.start()

    def add(self, x: Exchange) -> None:
        """Keep the bytes of ``x`` (called by the trace for each recorded exchange). When the
        archive holds them exactly (nothing redacted), the exchange may let go of its copy."""
        if self._zip is None:
            return  # the scenario is over; a late message is recorded in the next one's trace
        body = x.body
        kept = self.redactor.scrub(body)
        with self._lock:
            self._waiting[x.seq] = kept
        self._put(x.seq)
        self.count += 1
        if kept == body:
            x.store = self

    def _put(self, item: int | None) -> None:
        try:
            self._queue.put(item, timeout=WRITER_WAIT_S)
        except queue.Full:
            raise EvidenceError(
                f"{self.folder / ARCHIVE}: the evidence writer accepted nothing for "
                f"{WRITER_WAIT_S:.0f} s (disk stalled?)"
            ) from None

    def _drain(self) -> None:
        while (seq := self._queue.get()) is not None:
            with self._lock:
                body = self._waiting.get(seq)
            if self._failure is not None or self._zip is None or body is None:
                continue  # kept in memory: the failure is reported when the scenario ends
            try:
                with self._archive_lock:
                    self._zip.writestr(member(seq), body)
            except Exception as exc:  # e.g. a full disk: reported when the scenario ends
                self._failure = exc
                continue
            with self._lock:
                del self._waiting[seq]

    def read(self, seq: int) -> bytes:
        """The bytes of exchange ``seq`` as kept (waiting in the queue, or in the archive)."""
        with self._lock:
            waiting = self._waiting.get(seq)
        if waiting is not None:
            return waiting
        if self._finished is not None and seq in self._finished:
            return self._finished[seq]
        with self._archive_lock:
            if self._zip is not None:
                try:
                    return self._zip.read(member(seq))
                except (KeyError, OSError, zipfile.BadZipFile, ValueError) as exc:
                    raise EvidenceError(f"{self.folder}: exchange #{seq}: {exc}") from None
        try:
            with zipfile.ZipFile(self.folder / ARCHIVE) as archive:  # the scenario has ended
                return archive.read(member(seq))
        except (KeyError, OSError, zipfile.BadZipFile) as exc:
            raise EvidenceError(
                f"{self.folder}: exchange #{seq} not in {ARCHIVE} ({exc})"
            ) from None

    def _stop_writer(self) -> None:
        """Let the writer empty its queue, waiting a bounded time; a writer that does not
        finish, or failed, is a clear error (the bytes it did not write are still held)."""
        if self._thread.is_alive():
            self._put(None)
            self._thread.join(WRITER_WAIT_S)
            if self._thread.is_alive():
                raise EvidenceError(
                    f"{self.folder / ARCHIVE}: the evidence writer did not finish within "
                    f"{WRITER_WAIT_S:.0f} s ({len(self._waiting)} messages not written)"
                )
        if self._failure is not None:
            raise EvidenceError(
                f"{self.folder / ARCHIVE}: {self._failure} "
                f"({len(self._waiting)} messages not written)"
            )

    def finish(self, exchanges: Iterable[Exchange], extra: dict[str, str] | None = None) -> int:
        """Write the index (and small scenarios' per-file layout), one entry at a time; returns
        the exchange count."""
        self._stop_writer()
        kept = exchanges if isinstance(exchanges, list) else list(exchanges)
        files = len(kept) <= FILES_UP_TO
        small = {x.seq: self.read(x.seq) for x in kept} if files else {}
        for x in kept if files else []:
            (self.folder / file_name(x)).write_bytes(small[x.seq])
        with (self.folder / INDEX).open("w", encoding="utf-8") as out, self._archive_lock:
            zipped = self._zip.open(INDEX, "w") if self._zip is not None else None
            try:
                for n, x in enumerate(kept):
                    entry = x.to_dict()
                    entry["member"] = member(x.seq)
                    if files:
                        entry["file"] = file_name(x)
                    text = json.dumps(entry, indent=2 if files else None)
                    chunk = ("[\n" if n == 0 else ",\n") + self.redactor.scrub_text(text)
                    out.write(chunk)
                    if zipped is not None:
                        zipped.write(chunk.encode("utf-8"))
                end = "\n]\n" if kept else "[]\n"
                out.write(end)
                if zipped is not None:
                    zipped.write(end.encode("utf-8"))
            finally:
                if zipped is not None:
                    zipped.close()
        for name, content in (extra or {}).items():
            (self.folder / name).write_text(self.redactor.scrub_text(content), encoding="utf-8")
        if files:
            self._finished = small  # read back from memory from now on: the archive goes
        with self._archive_lock:
            if self._zip is not None:
                self._zip.close()
                self._zip = None
        if files:
            (self.folder / ARCHIVE).unlink(missing_ok=True)  # the files say it all
        return len(kept)


def read_index(folder: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"{folder}: no readable {INDEX} ({exc})") from None
    if not isinstance(data, list):
        raise EvidenceError(f"{folder}/{INDEX}: expected a list of exchanges")
    return data


def read_exchange(folder: Path, seq: int) -> bytes:
    """The exact bytes of exchange ``seq`` of a scenario's evidence folder, either layout."""
    if (folder / ARCHIVE).is_file():  # a fleet's: by its member name, without the index
        try:
            with zipfile.ZipFile(folder / ARCHIVE) as archive:
                return bytes(archive.read(member(seq)))
        except KeyError:
            pass  # not under its usual name: the index says where
        except (OSError, zipfile.BadZipFile) as exc:
            raise EvidenceError(f"{folder}: {ARCHIVE} cannot be read ({exc})") from None
    entry = next((e for e in read_index(folder) if e.get("seq") == seq), None)
    if entry is None:
        raise EvidenceError(f"{folder}: no exchange #{seq}")
    name = str(entry.get("file") or "")
    if name and (folder / name).is_file():
        return (folder / name).read_bytes()
    try:
        with zipfile.ZipFile(folder / ARCHIVE) as archive:
            return bytes(archive.read(entry.get("member") or member(seq)))
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise EvidenceError(f"{folder}: exchange #{seq} not in {ARCHIVE} ({exc})") from None
