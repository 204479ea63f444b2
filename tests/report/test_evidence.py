"""The evidence folder: bytes streamed as recorded, per-file layout for small scenarios, one
archive for large ones, any exchange readable back by number."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from amicert.report import evidence
from amicert.report.evidence import EvidenceError, EvidenceWriter, read_exchange, scenario_folder
from amicert.trace import Trace

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def recorded(folder: Path, n: int) -> tuple[Trace, EvidenceWriter]:
    trace = Trace()
    writer = EvidenceWriter(folder)
    trace.on_record.append(writer.add)
    for i in range(n):
        trace.record("A", "B", f"<m n='{i}'/>".encode(), T0)
    return trace, writer


def test_a_small_scenario_is_laid_out_one_file_per_exchange(tmp_path: Path) -> None:
    trace, writer = recorded(tmp_path / "s", 3)
    assert writer.count == 3  # streamed as recorded, before the end
    writer.finish(trace.exchanges)
    assert not (tmp_path / "s" / evidence.ARCHIVE).exists()
    assert read_exchange(tmp_path / "s", 2) == b"<m n='1'/>"
    assert len(list((tmp_path / "s").glob("*.xml"))) == 3


def test_a_large_scenario_stays_in_its_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "FILES_UP_TO", 2)
    trace, writer = recorded(tmp_path / "s", 5)
    writer.finish(trace.exchanges)
    assert (tmp_path / "s" / evidence.ARCHIVE).is_file()
    assert list((tmp_path / "s").glob("*.xml")) == []
    assert [read_exchange(tmp_path / "s", n) for n in (1, 5)] == [b"<m n='0'/>", b"<m n='4'/>"]
    with pytest.raises(EvidenceError, match="no exchange #6"):
        read_exchange(tmp_path / "s", 6)


def test_scenario_runs_never_share_a_folder(tmp_path: Path) -> None:
    a = scenario_folder(tmp_path, "AEP-5.8", "image-refused", "x" * 200 + "-downgrade")
    a.mkdir(parents=True)
    b = scenario_folder(tmp_path, "AEP-5.8", "image-refused", "x" * 200 + "-downgrade")
    assert a != b
