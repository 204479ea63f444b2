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


class EvidenceWriter:
    """Streams the exchanges of one scenario into its archive as they are recorded."""

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
        self._queue: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(
            target=self._drain, name=f"evidence {folder.name}", daemon=True
        )
        self._thread.start()

    def add(self, x: Exchange) -> None:
        """Keep the bytes of ``x`` (called by the trace for each recorded exchange)."""
        if self._zip is None:
            return  # the scenario is over; a late message is recorded in the next one's trace
        self._queue.put((member(x.seq), self.redactor.scrub(x.body)))
        self.count += 1

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failure is None and self._zip is not None:
                try:
                    self._zip.writestr(*item)
                except Exception as exc:  # e.g. a full disk: reported when the scenario ends
                    self._failure = exc

    def finish(self, exchanges: Iterable[Exchange], extra: dict[str, str] | None = None) -> int:
        """Write the index (and small scenarios' per-file layout); returns the exchange count."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._failure is not None:
            raise EvidenceError(f"{self.folder / ARCHIVE}: {self._failure}")
        index: list[dict[str, Any]] = []
        kept = list(exchanges)
        files = len(kept) <= FILES_UP_TO
        for x in kept:
            entry = x.to_dict()
            entry["member"] = member(x.seq)
            if files:
                entry["file"] = file_name(x)
                (self.folder / entry["file"]).write_bytes(self.redactor.scrub(x.body))
            index.append(entry)
        text = self.redactor.scrub_text(
            json.dumps(index, indent=None if len(kept) > FILES_UP_TO else 2)
        )
        (self.folder / INDEX).write_text(text, encoding="utf-8")
        for name, content in (extra or {}).items():
            (self.folder / name).write_text(self.redactor.scrub_text(content), encoding="utf-8")
        if self._zip is not None:
            self._zip.writestr(INDEX, text)
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
