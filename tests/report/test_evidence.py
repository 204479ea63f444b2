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


def test_a_judged_exchange_lets_go_of_its_bytes_and_reads_them_back_exactly(
    tmp_path: Path,
) -> None:
    trace, writer = recorded(tmp_path / "s", 3)
    first = trace.exchanges[0]
    first.judged = True
    first.forget_tree()
    assert first._body is None, "the archive holds the bytes: the record must not"
    assert first.body == b"<m n='0'/>"  # read back from the archive being written
    assert first.root() is not None  # and parsed again when asked
    writer.finish(trace.exchanges)
    assert first.body == b"<m n='0'/>"  # and after the scenario's end


def test_a_redacted_message_keeps_its_exact_bytes_in_the_record(tmp_path: Path) -> None:
    from amicert.transport.redact import Redactor

    trace = Trace()
    writer = EvidenceWriter(tmp_path / "s", Redactor(["s3cret"]))
    trace.on_record.append(writer.add)
    x = trace.record("A", "B", b"<m>s3cret</m>", T0)
    x.judged = True
    x.forget_tree()
    assert x.body == b"<m>s3cret</m>"  # the archive's copy differs: the record keeps its own
    writer.finish(trace.exchanges)
    assert b"s3cret" not in read_exchange(tmp_path / "s", 1)


def test_a_writer_that_fails_is_a_clear_error_and_loses_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: object, name: str, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(evidence.zipfile.ZipFile, "writestr", full_disk)
    trace, writer = recorded(tmp_path / "s", 4)
    for x in trace.exchanges:
        x.judged = True
        x.forget_tree()
    assert [x.body for x in trace.exchanges][-1] == b"<m n='3'/>"  # still held, not lost
    with pytest.raises(EvidenceError, match=r"No space left on device \(4 messages not written\)"):
        writer.finish(trace.exchanges)


def test_a_writer_that_hangs_is_given_up_after_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    release = threading.Event()

    def stalled(self: object, name: str, data: bytes) -> None:
        release.wait(30)

    monkeypatch.setattr(evidence, "WRITER_WAIT_S", 0.3)
    monkeypatch.setattr(evidence.zipfile.ZipFile, "writestr", stalled)
    trace, writer = recorded(tmp_path / "s", 2)
    try:
        with pytest.raises(EvidenceError, match=r"did not finish within 0 s \(2 messages"):
            writer.finish(trace.exchanges)
    finally:
        release.set()


def test_every_exchange_of_a_fleet_comes_back_byte_for_byte_through_extract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """A fleet run as ``amicert run`` keeps it: bytes spilled to the archive while the run goes
    on, every one of them given back by ``amicert extract``."""
    from amicert.catalog import load_catalog
    from amicert.cim.validate import Validator
    from amicert.cli import main
    from amicert.headless import cases, run_case
    from amicert.world import RunOptions, World

    copies: dict[int, bytes] = {}
    folder = tmp_path / "ev"
    made: list[World] = []
    start = World.__init__

    def with_evidence(self: World, *args: object, **kwargs: object) -> None:
        start(self, *args, **kwargs)  # type: ignore[arg-type]
        self.evidence = EvidenceWriter(folder)
        self.trace.on_record.append(lambda x: copies.setdefault(x.seq, bytes(x.body)))
        self.trace.on_record.append(self.evidence.add)
        made.append(self)

    monkeypatch.setattr(World, "__init__", with_evidence)
    case = next(c for c in cases(load_catalog()["AEP-5.8"]) if c.spec.id == "normal")
    outcome, world = run_case(case, Validator(), RunOptions(fleet=70))
    assert outcome.verdict.value == "PASS"
    spilled = [x for x in world.trace if x._body is None]
    assert len(spilled) > 0.9 * len(world.trace), "bytes stayed in memory"
    assert all(x.body == copies[x.seq] for x in spilled)  # read back during the run
    assert world.evidence is not None
    world.evidence.finish(world.trace.exchanges)
    assert (folder / evidence.ARCHIVE).is_file()  # a fleet stays in its archive
    capsysbinary.readouterr()
    for x in world.trace:
        assert main(["extract", str(folder), str(x.seq)]) == 0
        assert capsysbinary.readouterr().out == copies[x.seq], f"exchange #{x.seq}"
    assert len(copies) == len(world.trace) > evidence.FILES_UP_TO
