"""Who may load and revert what, who is recorded, and two uploads of the same data at the same moment.

* ``import_file`` needs the kind's action (``budget`` for the budget, else ``upload``), a dry run only
  ``view``; ``revert_upload`` needs the action of the upload's kind. A refusal writes nothing.
* ``uploads.uploaded_by`` / ``reverted_by`` record ``actor.author``.
* Two uploads overlapping in time and data: both land in order, or one is refused whole with a
  message saying so (never half-applied). Forced deterministically with the commit's ``_pause_hook``.
* The command line: ``--as`` (and the older ``--user``), ``refused: …`` with exit 1, usage exit 2.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import cast

import pandas as pd
import pytest

from sop_core import Store, StoreError, open_store
from sop_core.__main__ import main
from sop_core.actuals import refresh_rollup
from sop_core.importer import (
    ImportOptions,
    ImportReport,
    UploadConflict,
    action_for,
    import_file,
    revert_upload,
    upload_history,
)
from sop_core.importer import commit as commit_module
from sop_core.people import Actor
from tests.support.apptest import list_person
from tests.support.imports import dump
from tests.support.people import EVERYONE, FINANCE, PLANNER, everyone_but, person
from tests.support.stores import build_tiny

FEB = b"date,sku,region,quantity,revenue\n2026-02-10,A1,N,10,100\n2026-02-11,A2,S,20,200\n"
FEB_MAR = b"date,sku,region,quantity,revenue\n2026-02-10,A1,N,15,150\n2026-03-11,A2,S,7,70\n"
"""A second sales file overlapping FEB: the same SKU × region in February, and March besides."""

# kind → (file, options, the roles that may load it)
FILES: dict[str, tuple[bytes, ImportOptions | None, tuple[str, ...]]] = {
    "sales": (FEB, None, ("planner",)),
    "products": (b"sku,family,description\nA1,A,renamed\nC9,B,new\n", None, ("planner",)),
    "production_plan": (b"family,month,quantity\nB,2026-04,12\n", ImportOptions(cycle="2026-03"), ("planner",)),
    "budget": (b"family,month,volume,revenue\nA,2026-04,10,100\n", ImportOptions(cycle="2026-03"), ("finance",)),
}
ALLOWED = {"sales": PLANNER, "products": PLANNER, "production_plan": PLANNER, "budget": FINANCE}
REFUSED = [(kind, actor) for kind, (_, _, roles) in FILES.items() for actor in everyone_but(*roles)]


def _load(store: Store, kind: str, actor: Actor, *, dry_run: bool = False):
    body, options, _ = FILES[kind]
    return import_file(store, kind, body, f"{kind}.csv", options, actor=actor, dry_run=dry_run)


def _ids(value: object) -> str:
    return value.email if isinstance(value, Actor) else str(value)


# ------------------------------------------------------------------------------ the kind's action
def test_the_budget_is_finances_everything_else_the_planners():
    assert action_for("budget") == "budget"
    assert {action_for(kind) for kind in ("sales", "products", "capacity", "demand_plan", "production_plan")} == {
        "upload"
    }


# ------------------------------------------------------------------------------ import_file
@pytest.mark.parametrize(("kind", "actor"), REFUSED, ids=_ids)
def test_a_load_by_the_wrong_role_is_refused_and_writes_nothing(tiny: Store, kind: str, actor: Actor):
    before = dump(tiny)
    with pytest.raises(PermissionError, match=f"{actor.email} .* may not upload or revert"):
        _load(tiny, kind, actor)
    assert dump(tiny) == before


@pytest.mark.parametrize("kind", list(FILES))
def test_the_allowed_role_loads_and_is_recorded_as_the_uploader(tiny: Store, kind: str):
    actor = ALLOWED[kind]
    report = _load(tiny, kind, actor)
    assert report.status == "committed", report.to_text()
    history = upload_history(tiny)
    assert history.loc[0, "upload_id"] == report.upload_id
    assert history.loc[0, "uploaded_by"] == actor.author == actor.email


def test_a_planner_may_not_load_the_budget(tiny: Store):
    with pytest.raises(PermissionError, match="planner@example.com \\(planner\\) may not upload or revert the budget"):
        _load(tiny, "budget", PLANNER)


@pytest.mark.parametrize("actor", [person(role) for role in ("viewer", "planner", "finance", "executive", "admin")])
def test_a_dry_run_needs_only_to_see_the_dashboard(tiny: Store, actor: Actor):
    before = dump(tiny)
    assert _load(tiny, "budget", actor, dry_run=True).status == "valid"
    assert _load(tiny, "sales", actor, dry_run=True).status == "valid"
    assert dump(tiny) == before


def test_a_dry_run_by_someone_without_a_role_is_refused(tiny: Store):
    with pytest.raises(PermissionError, match="may not see the dashboard"):
        _load(tiny, "sales", person(email="nobody@example.com"), dry_run=True)


# ------------------------------------------------------------------------------ revert_upload
@pytest.mark.parametrize(("kind", "actor"), REFUSED, ids=_ids)
def test_a_revert_by_the_wrong_role_is_refused_and_writes_nothing(tiny: Store, kind: str, actor: Actor):
    upload_id = _load(tiny, kind, EVERYONE).upload_id
    assert upload_id is not None
    before = dump(tiny)
    with pytest.raises(PermissionError, match="may not upload or revert"):
        revert_upload(tiny, upload_id, actor)
    assert dump(tiny) == before


@pytest.mark.parametrize("kind", list(FILES))
def test_the_allowed_role_reverts_and_is_recorded(tiny: Store, kind: str):
    upload_id = _load(tiny, kind, EVERYONE).upload_id
    assert upload_id is not None
    actor = ALLOWED[kind]
    assert "reverted" in revert_upload(tiny, upload_id, actor)
    row = upload_history(tiny).iloc[0]
    assert row["status"] == "reverted" and row["reverted_by"] == actor.author
    assert row["uploaded_by"] == EVERYONE.author


def test_a_second_revert_names_who_reverted_and_when(tiny: Store):
    ann, bob = person("planner", email="ann@example.com"), person("planner", email="bob@example.com")
    upload_id = _load(tiny, "sales", ann).upload_id
    assert upload_id is not None
    revert_upload(tiny, upload_id, ann)
    after_first = dump(tiny)
    with pytest.raises(StoreError, match=r"already reverted \(by ann@example.com at \d{4}-\d\d-\d\d \d\d:\d\d\)"):
        revert_upload(tiny, upload_id, bob)
    assert dump(tiny) == after_first


def test_a_revert_under_a_later_upload_names_that_upload_and_its_author(tiny: Store):
    ann, bob = person("planner", email="ann@example.com"), person("planner", email="bob@example.com")
    first = import_file(tiny, "sales", FEB, "a.csv", actor=ann)
    second = import_file(tiny, "sales", FEB_MAR, "b.csv", actor=bob)
    assert first.upload_id is not None and second.status == "committed"
    before = dump(tiny)
    with pytest.raises(StoreError, match=rf"\(upload {second.upload_id} by bob@example.com at .*revert that upload"):
        revert_upload(tiny, first.upload_id, ann)
    assert dump(tiny) == before


# ------------------------------------------------------------------------------ two uploads at once
def _rollup_is_exact(store: Store) -> None:
    """The family rollup equals a fresh rebuild from the rows (no half-applied refresh)."""
    rollup = store.query("SELECT * FROM actuals_monthly ORDER BY ALL")
    with store.transaction() as cur:
        refresh_rollup(cur)
    pd.testing.assert_frame_equal(rollup, store.query("SELECT * FROM actuals_monthly ORDER BY ALL"))


def _sales(store: Store) -> list[tuple]:
    """The February/March sales rows (NaN revenue as None, so that rows compare equal)."""
    frame = store.query(
        "SELECT month, sku, region, quantity, revenue FROM actuals WHERE kind = 'sales' "
        "AND month >= DATE '2026-02-01' ORDER BY ALL"
    )
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def _loaded_in_order(names: list[str]) -> list[tuple]:
    """The February/March sales rows after loading the files ``names`` in order into a fresh tiny store."""
    store = open_store(":memory:")
    try:
        build_tiny(store)
        for name in names:
            body = FEB if name == "first.csv" else FEB_MAR
            assert import_file(store, "sales", body, name, actor=EVERYONE).status == "committed"
        return _sales(store)
    finally:
        store.close()


def _race(store: Store, monkeypatch: pytest.MonkeyPatch, *, hold_first: bool) -> dict[str, object]:
    """Load FEB (thread ``first``, as ann) and FEB_MAR (thread ``second``, as bob) at once; each outcome.

    ``hold_first``: the first upload pauses inside its open transaction (the commit's ``_pause_hook``)
    until the second has ended, which forces the overlap. Otherwise both start together at a barrier.
    """
    paused, done = threading.Event(), {"first": threading.Event(), "second": threading.Event()}

    def hold() -> None:
        if threading.current_thread().name == "first":
            paused.set()
            done["second"].wait(60)

    if hold_first:
        monkeypatch.setattr(commit_module, "_pause_hook", hold)
    start = threading.Barrier(1 if hold_first else 2, timeout=60)
    outcomes: dict[str, object] = {}

    def load(name: str, body: bytes, actor: Actor) -> None:
        try:
            start.wait()
            outcomes[name] = import_file(store, "sales", body, f"{name}.csv", actor=actor)
        except UploadConflict as exc:
            outcomes[name] = exc
        finally:
            done[name].set()

    ann, bob = person("planner", email="ann@example.com"), person("planner", email="bob@example.com")
    threads = [
        threading.Thread(target=load, args=("first", FEB, ann), name="first"),
        threading.Thread(target=load, args=("second", FEB_MAR, bob), name="second"),
    ]
    threads[0].start()
    if hold_first:
        assert paused.wait(60), "the first upload never reached its commit"
    threads[1].start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive()
    return outcomes


def test_an_upload_overlapping_an_open_one_is_refused_whole_and_the_first_lands(
    tiny: Store, monkeypatch: pytest.MonkeyPatch
):
    """The first upload waits inside its transaction until the second has ended: a forced overlap."""
    outcomes = _race(tiny, monkeypatch, hold_first=True)
    first, second = outcomes["first"], outcomes["second"]
    assert isinstance(first, ImportReport) and first.status == "committed", first
    assert isinstance(second, UploadConflict), second
    assert str(second) == (
        "Another upload changed the same data at the same time; nothing of second.csv was loaded. Load it again."
    )
    assert second.report.status == "failed" and second.report.upload_id is None
    assert "FAILED: nothing was written." in second.report.to_text()
    history = upload_history(tiny)
    assert history["file_name"].tolist() == ["first.csv"] and history["uploaded_by"].tolist() == ["ann@example.com"]
    assert _sales(tiny) == _loaded_in_order(["first.csv"])  # exactly the first file's data, nothing of the second
    _rollup_is_exact(tiny)
    # Told to load it again: it then lands over the first.
    assert import_file(tiny, "sales", FEB_MAR, "second.csv", actor=PLANNER).status == "committed"
    assert _sales(tiny) == _loaded_in_order(["first.csv", "second.csv"])
    _rollup_is_exact(tiny)


def test_two_uploads_at_once_both_land_in_order_or_one_is_refused_whole(tiny: Store, monkeypatch: pytest.MonkeyPatch):
    """No forced pause: however DuckDB orders them, each lands whole (in upload order) or is refused whole."""
    outcomes = _race(tiny, monkeypatch, hold_first=False)
    landed = [name for name, got in outcomes.items() if isinstance(got, ImportReport)]
    refused = [name for name, got in outcomes.items() if isinstance(got, UploadConflict)]
    assert len(landed) + len(refused) == 2 and landed, outcomes
    assert all(cast(ImportReport, outcomes[name]).status == "committed" for name in landed), outcomes
    order = upload_history(tiny).sort_values("upload_id")["file_name"].tolist()
    assert sorted(order) == sorted(f"{name}.csv" for name in landed)
    assert _sales(tiny) == _loaded_in_order(order)  # the later applied over the earlier, or just the one
    _rollup_is_exact(tiny)


# ------------------------------------------------------------------------------ the command line
@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("SOP_USER", raising=False)
    monkeypatch.delenv("SOP_ADMIN_EMAIL", raising=False)
    monkeypatch.setenv("SOP_WAIT", "0")
    path = tmp_path / "sop.duckdb"
    with open_store(path) as store:
        build_tiny(store)
    return str(path)


def _file(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(FILES[kind][0])
    return str(path)


def _history(db: str) -> pd.DataFrame:
    with open_store(db) as store:
        return upload_history(store)


def test_cli_the_old_user_option_still_signs_while_nobody_is_listed(db: str, tmp_path: Path):
    assert main(["import", "sales", _file(tmp_path, "sales"), "--db", db, "--user", "ann"]) == 0
    assert main(["revert", "1", "--db", db, "--user", "bob"]) == 0
    row = _history(db).iloc[0]
    assert (row["uploaded_by"], row["reverted_by"]) == ("ann", "bob")


def test_cli_acts_as_the_named_person_once_people_are_listed(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    list_person(Path(db), "viewer@example.com", "viewer")
    list_person(Path(db), "planner@example.com", "planner")
    sales = _file(tmp_path, "sales")
    with open_store(db) as store:
        before = dump(store)
    assert main(["import", "sales", sales, "--db", db]) == 2
    assert "name who acts: --as EMAIL" in capsys.readouterr().err
    assert main(["import", "sales", sales, "--db", db, "--as", "viewer@example.com"]) == 1
    assert capsys.readouterr().err.startswith(
        "refused: viewer@example.com (viewer) may not upload or revert data: needs planner"
    )
    budget = _file(tmp_path, "budget")
    assert main(["import", "budget", budget, "--db", db, "--cycle", "2026-03", "--as", "planner@example.com"]) == 1
    assert "may not upload or revert the budget: needs finance" in capsys.readouterr().err
    assert main(["import", "sales", sales, "--db", db, "--as", "planner"]) == 1
    assert "must be an e-mail address" in capsys.readouterr().err
    with open_store(db) as store:
        assert dump(store) == before
    assert main(["import", "sales", sales, "--db", db, "--dry-run", "--as", "viewer@example.com"]) == 0
    assert "VALID (dry run)" in capsys.readouterr().out
    assert main(["import", "sales", sales, "--db", db, "--user", "planner@example.com"]) == 0
    assert "COMMITTED as upload 1" in capsys.readouterr().out
    assert main(["revert", "1", "--db", db, "--as", "viewer@example.com"]) == 1
    assert "refused: viewer@example.com (viewer) may not upload or revert data" in capsys.readouterr().err
    assert main(["revert", "1", "--db", db, "--as", "planner@example.com"]) == 0
    row = _history(db).iloc[0]
    assert (row["uploaded_by"], row["status"], row["reverted_by"]) == (
        "planner@example.com",
        "reverted",
        "planner@example.com",
    )


def test_cli_an_upload_refused_by_a_concurrent_one_exits_1(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    """Another session's upload is open on the same data while the command loads: FAILED, exit 1, nothing written."""
    paused, release = threading.Event(), threading.Event()

    def hold() -> None:
        if threading.current_thread().name == "holder":
            paused.set()
            release.wait(60)

    monkeypatch.setattr(commit_module, "_pause_hook", hold)
    with open_store(db) as other:
        holder = threading.Thread(
            target=lambda: import_file(other, "sales", FEB_MAR, "other.csv", actor=EVERYONE), name="holder"
        )
        holder.start()
        try:
            assert paused.wait(60)
            code = main(["import", "sales", _file(tmp_path, "sales"), "--db", db])
        finally:
            release.set()
            holder.join(60)
    out = capsys.readouterr().out
    assert code == 1, out
    assert "FAILED: nothing was written." in out and "nothing of sales.csv was loaded. Load it again." in out
    assert _history(db)["file_name"].tolist() == ["other.csv"]
