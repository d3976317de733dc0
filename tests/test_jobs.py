"""Scheduled loads: commands handed to the running app's runner (``sop_core.jobs``).

The runner runs here in a thread on a store this process holds; the command's side is
:func:`sop_core.jobs.hand_off` (in-process ``main()`` would share the open database instead of
finding it held), except where a second process holds the file.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import pytest

from sop_core import Store, open_store
from sop_core.__main__ import build_parser, main
from sop_core.facts import data_stamp
from sop_core.jobs import Job, Result, Runner, Spool, hand_off, spool_dir
from sop_core.jobs.heartbeat import beat, runner_alive
from sop_core.jobs.spool import new_id
from tests.support.imports import CORPUS, dump
from tests.support.stores import HOLD, ROOT, build_tiny

GOOD = CORPUS / "good" / "comma_lf.csv"
OTHER = CORPUS / "good" / "semicolon_de.csv"
BAD = CORPUS / "bad" / "ambiguous_date.csv"


def _tiny_file(path: Path) -> None:
    with open_store(path) as store:
        build_tiny(store)


@pytest.fixture()
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two identical tiny store files: one for direct runs, one held by a runner."""
    direct, held = tmp_path / "direct" / "sop.duckdb", tmp_path / "held" / "sop.duckdb"
    direct.parent.mkdir()
    held.parent.mkdir()
    _tiny_file(direct)
    shutil.copy(direct, held)
    return direct, held


@pytest.fixture()
def running(twins: tuple[Path, Path]) -> Iterator[tuple[Store, Runner]]:
    """The held twin, open in this process, with its runner started."""
    store = open_store(twins[1])
    runner = Runner(store, poll=0.02).start()
    yield store, runner
    runner.stop(timeout=5)
    store.close()


def _direct(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _handed(argv: list[str], db: Path, capsys: pytest.CaptureFixture[str], wait: float = 30) -> tuple[int, str, str]:
    capsys.readouterr()
    code = hand_off(build_parser().parse_args(argv), argv, Spool(db), time.monotonic() + wait)
    out, err = capsys.readouterr()
    assert code is not None, "the job was withdrawn unrun"
    return code, out, err


def _leftovers(db: Path) -> list[str]:
    return sorted(n for n in (p.name for p in spool_dir(db).iterdir()) if n != "heartbeat")


def test_spool_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o2770)
    spool = Spool(folder / "sop.duckdb").ensure()
    assert spool.folder == folder / "sop.duckdb.jobs"
    assert stat.S_IMODE(spool.folder.stat().st_mode) == 0o2770  # the store folder's permissions
    job = Job(
        id=new_id(),
        argv=["import", "sales", "x/comma_lf.csv", "--as", "a@example.com"],
        expires=time.time() + 60,
        inputs={"file": GOOD.name},
        sop_user="a@example.com",
        login="a",
    )
    spool.submit(job, {"file": GOOD})
    assert spool.waiting() == [job.id] and spool.is_waiting(job.id)
    assert stat.S_IMODE(spool.job_path(job.id).stat().st_mode) == 0o660
    assert not [p for p in spool.folder.iterdir() if p.name.endswith(".tmp")]
    claimed = spool.claim(job.id)
    assert claimed == job
    assert (spool.inputs_dir(job.id) / GOOD.name).read_bytes() == GOOD.read_bytes()
    assert not spool.withdraw(job.id), "a claimed job cannot be withdrawn"
    spool.finish(job.id, Result(0, "out\n", "err\n"))
    assert spool.read_result(job.id) == Result(0, "out\n", "err\n")
    assert sorted(p.name for p in spool.folder.iterdir()) == [f"{job.id}.result"]
    spool.discard(job.id)
    assert list(spool.folder.iterdir()) == []
    # A waiting job withdrawn by its caller is gone with its inputs, and cannot be claimed.
    second = Job(id=new_id(), argv=["uploads"], expires=time.time() + 60, inputs={"file": GOOD.name})
    spool.submit(second, {"file": GOOD})
    assert spool.withdraw(second.id) and spool.claim(second.id) is None
    assert list(spool.folder.iterdir()) == []


def test_a_handed_over_import_matches_a_direct_run(twins, running, capsys) -> None:
    direct_db, held_db = twins
    store, _ = running
    for path, expected_code in ((BAD, 1), (GOOD, 0), (GOOD, 0)):  # bad, good, then already loaded
        before, stamp = dump(store), data_stamp(store)
        code, out, err = _direct(["import", "sales", str(path), "--db", str(direct_db)], capsys)
        handed = _handed(["import", "sales", str(path), "--db", str(held_db)], held_db, capsys)
        assert (code, out, err) == handed
        assert code == expected_code, out + err
        if path == BAD:
            assert "ambiguous date" in out and "rows read 1 = rows loaded 0 + rows rejected 1" in out
            assert dump(store) == before and data_stamp(store) == stamp  # nothing changed
        elif "COMMITTED as upload 1" in out:
            assert data_stamp(store) != stamp  # the pages' caches see the new data at their next rerun
    assert _leftovers(held_db) == []  # the job, its input copy and its result are gone
    with open_store(direct_db) as direct:
        both = [dump(direct), dump(store)]
        sql = "SELECT * EXCLUDE (uploaded_at) FROM uploads ORDER BY ALL"
        uploads = [one.query(sql) for one in (direct, store)]
    assert {k: v for k, v in both[0].items() if k != "uploads"} == {k: v for k, v in both[1].items() if k != "uploads"}
    assert uploads[0].equals(uploads[1])  # the same history, apart from the time of the load
    listed = _handed(["uploads", "--db", str(held_db)], held_db, capsys)
    assert listed[0] == 0 and "comma_lf.csv" in listed[1]


def test_jobs_run_in_order_of_arrival(twins, capsys) -> None:
    held_db = twins[1]
    spool = Spool(held_db).ensure()
    ids = []
    for path in (GOOD, OTHER):
        argv = ["import", "sales", str(path), "--db", str(held_db)]
        if path == OTHER:
            argv += ["--locale", "de", "--delimiter", "semicolon"]
        job = Job(id=new_id(), argv=argv, expires=time.time() + 60, inputs={"file": path.name})
        spool.submit(job, {"file": path})
        ids.append(job.id)
    with open_store(held_db) as store:
        runner = Runner(store, poll=0.02).start()
        try:
            deadline = time.monotonic() + 30
            while spool.read_result(ids[1]) is None:
                assert time.monotonic() < deadline
                time.sleep(0.02)
        finally:
            runner.stop(timeout=5)
    first, second = (cast(Result, spool.read_result(i)) for i in ids)
    assert "comma_lf.csv: COMMITTED as upload 1." in first.stdout, first
    assert "semicolon_de.csv: COMMITTED as upload 2." in second.stdout, second


def test_the_runner_survives_a_job_that_raises(twins, running, capsys, monkeypatch) -> None:
    held_db = twins[1]
    store, runner = running
    before = dump(store)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("sop_core.importer.import_file", boom)
    code, out, err = _handed(["import", "sales", str(GOOD), "--db", str(held_db)], held_db, capsys)
    assert code == 1 and out == ""
    assert "Traceback" in err and "RuntimeError: boom" in err
    monkeypatch.undo()
    assert runner.alive and dump(store) == before
    code, out, err = _handed(["import", "sales", str(GOOD), "--db", str(held_db)], held_db, capsys)
    assert code == 0 and "COMMITTED as upload 1" in out, out + err


def test_the_app_streams_are_untouched_while_a_job_runs(twins, running, capsys) -> None:
    held_db = twins[1]
    stop = threading.Event()

    def chatter() -> None:  # another session's thread printing meanwhile
        while not stop.is_set():
            print("session-noise")
            time.sleep(0.001)

    thread = threading.Thread(target=chatter)
    thread.start()
    try:
        capsys.readouterr()
        code = hand_off(
            build_parser().parse_args(argv := ["uploads", "--db", str(held_db)]),
            argv,
            Spool(held_db),
            time.monotonic() + 30,
        )
    finally:
        stop.set()
        thread.join()
    out = capsys.readouterr().out
    assert code == 0
    assert "No uploads yet." in out
    assert out.replace("session-noise\n", "") == "No uploads yet.\n"


def _holder(db: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(root=str(ROOT), path=str(db))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert cast(IO[str], proc.stdout).readline().strip() == "ready"
    return proc


def _release(proc: subprocess.Popen[str]) -> None:
    cast(IO[str], proc.stdin).close()
    proc.wait(timeout=30)


def test_a_job_nobody_picks_up_times_out_and_is_removed(tmp_path: Path, capsys) -> None:
    db = tmp_path / "sop.duckdb"
    _tiny_file(db)
    holder = _holder(db)  # holds the file and runs no runner
    try:
        beat(Spool(db).ensure())  # …but a heartbeat says one is alive
        assert runner_alive(Spool(db))
        start = time.monotonic()
        code, out, err = _direct(["--wait", "1", "import", "sales", str(GOOD), "--db", str(db)], capsys)
        assert code == 2 and out == ""
        assert f"is in use by process {holder.pid}" in err and "Traceback" not in err
        assert 1 <= time.monotonic() - start < 10
        assert _leftovers(db) == []  # withdrawn: it never runs later
        start = time.monotonic()
        code, _, err = _direct(["--wait", "30", "demo", "--db", str(db)], capsys)
        assert code == 2 and "is in use by" in err and time.monotonic() - start < 5  # demo refuses at once
        # Without a heartbeat the command retries the file for --wait seconds, then fails as before.
        Spool(db).heartbeat.unlink()
        code, _, err = _direct(["--wait", "0.5", "uploads", "--db", str(db)], capsys)
        assert code == 2 and f"is in use by process {holder.pid}" in err
    finally:
        _release(holder)
    code, out, _ = _direct(["--wait", "0", "uploads", "--db", str(db)], capsys)
    assert code == 0 and "No uploads yet." in out


def test_a_command_waits_for_another_command_to_finish(tmp_path: Path, capsys) -> None:
    db = tmp_path / "sop.duckdb"
    _tiny_file(db)
    holder = _holder(db)
    timer = threading.Timer(1.0, _release, [holder])  # the other command finishes a second later
    timer.start()
    try:
        code, out, err = _direct(["--wait", "30", "import", "sales", str(GOOD), "--db", str(db)], capsys)
    finally:
        timer.join()
    assert code == 0 and "COMMITTED as upload 1" in out, out + err


def test_demo_refuses_while_the_app_holds_the_store(twins, running, capsys) -> None:
    held_db = twins[1]
    store, _ = running
    before = dump(store)
    argv = ["demo", "--db", str(held_db)]
    code = hand_off(build_parser().parse_args(argv), argv, Spool(held_db), time.monotonic() + 30)
    assert code == 2 and "does not run inside the dashboard" in capsys.readouterr().err
    assert dump(store) == before


def test_the_command_acts_as_its_caller_not_as_the_app(twins, running, monkeypatch) -> None:
    held_db = twins[1]
    store, _ = running
    monkeypatch.setenv("SOP_USER", "app@example.com")  # the app's environment must not sign the loads
    spool = Spool(held_db)
    ids = []
    for path, sop_user, extra in (
        (GOOD, None, []),  # local mode: the caller's login name
        (OTHER, "planner@example.com", ["--locale", "de", "--delimiter", "semicolon"]),  # the caller's $SOP_USER
    ):
        job = Job(
            id=new_id(),
            argv=["import", "sales", str(path), "--db", str(held_db), *extra],
            expires=time.time() + 60,
            inputs={"file": path.name},
            sop_user=sop_user,
            login="caller-login",
        )
        spool.submit(job, {"file": path})
        ids.append(job.id)
    deadline = time.monotonic() + 30
    while spool.read_result(ids[-1]) is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert [cast(Result, spool.read_result(i)).code for i in ids] == [0, 0]
    by = store.query("SELECT uploaded_by FROM uploads ORDER BY upload_id")["uploaded_by"].tolist()
    assert by == ["caller-login", "planner@example.com"]


def test_cycle_and_preread_commands_are_handed_over(twins, running, capsys, tmp_path) -> None:
    direct_db, held_db = twins
    for argv in (["cycle", "status", "2026-03", "--today", "2026-03-10"], ["decisions", "list"]):
        direct = _direct([*argv, "--db", str(direct_db)], capsys)
        assert direct == _handed([*argv, "--db", str(held_db)], held_db, capsys)
        assert direct[0] == 0, direct
    out = tmp_path / "pack.html"
    code, stdout, err = _handed(["preread", "2026-03", "--out", str(out), "--db", str(held_db)], held_db, capsys)
    assert code == 0, stdout + err
    assert stdout.startswith(f"Pre-read of cycle 2026-03 written to {out} (HTML,")  # the caller's path
    assert b"<html" in out.read_bytes()[:1000].lower()
    assert _leftovers(held_db) == []


def test_one_runner_per_store_and_it_stops_with_its_store(tmp_path: Path) -> None:
    from sop_core.jobs import start_runner

    memory = open_store(":memory:")
    assert start_runner(memory) is None  # an in-memory store has no folder to share
    memory.close()
    db = tmp_path / "sop.duckdb"
    store = open_store(db)
    runner = start_runner(store)
    assert runner is not None and start_runner(store) is runner and runner_alive(Spool(db))
    store.close()  # the app let go of its store: the runner ends, commands open the file themselves
    deadline = time.monotonic() + 10
    while runner.alive:
        assert time.monotonic() < deadline
        time.sleep(0.05)
