"""Demand planning's writes and the role check: only a planner runs the baseline, saves overrides or writes the
consensus; a refusal writes nothing; the writes record the acting person; a stale override save names who and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from sop_core import Store
from sop_core.forecast import (
    OverrideConflictError,
    overrides,
    run_baseline,
    save_override,
    save_overrides,
    statistical_forecast,
    stored_baseline,
    write_consensus,
)
from sop_core.forecast.baseline import MODEL_COLUMNS, store_baseline
from sop_core.people import Actor
from tests.support.people import PLANNER, everyone_but, person

CYCLE = dt.date(2026, 3, 1)  # the tiny store's draft
TABLES = (
    "forecast_baseline",
    "forecast_models",
    "forecast_overrides",
    "forecast_override_history",
    "demand_plan",
    "plan_versions",
)
REFUSED = "may not run the baseline or change forecast overrides: needs planner"


def state(store: Store) -> dict[str, pd.DataFrame]:
    """Every table a demand-planning write touches, sorted (fixed table names)."""
    return {table: store.query(f"SELECT * FROM {table} ORDER BY ALL") for table in TABLES}


def assert_unchanged(store: Store, before: dict[str, pd.DataFrame]) -> None:
    for table, frame in state(store).items():
        pd.testing.assert_frame_equal(frame, before[table], obj=table)


@pytest.fixture()
def store(tiny: Store) -> Store:
    """The tiny store with a quick baseline stored for its draft and no note on the draft."""
    run_baseline(tiny, CYCLE, horizon=3, mode="quick", actor=PLANNER)
    with tiny.transaction() as cur:
        cur.execute("UPDATE plan_versions SET note = NULL WHERE cycle = ?", [CYCLE])
    return tiny


def _edits(value: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "layer": ["sales"],
            "family": ["A"],
            "region": ["S"],
            "month": [CYCLE],
            "kind": ["units"],
            "value": [value],
            "reason": ["promotion"],
            "version": [0],
        }
    )


def _store_baseline(store: Store, actor: Actor) -> None:
    frame = statistical_forecast(store, CYCLE, horizon=3, mode="quick")
    models = frame.drop_duplicates(["family", "sku", "region"]).assign(series_class="quick", history_months=2)
    store_baseline(store, CYCLE, frame, models[MODEL_COLUMNS], mode="quick", actor=actor)


WRITES: dict[str, Callable[[Store, Actor], Any]] = {
    "run_baseline": lambda s, a: run_baseline(s, CYCLE, horizon=3, mode="quick", actor=a),
    "store_baseline": _store_baseline,
    "save_override": lambda s, a: save_override(
        s, CYCLE, layer="sales", family="A", region="N", start=CYCLE, value=25.0, reason="promotion", actor=a
    ),
    "save_overrides": lambda s, a: save_overrides(s, CYCLE, _edits(-5.0), a),
    "write_consensus": lambda s, a: write_consensus(s, CYCLE, actor=a),
}


@pytest.mark.parametrize("actor", everyone_but("planner"), ids=lambda a: a.role_text)
@pytest.mark.parametrize("write", WRITES)
def test_only_a_planner_may_write_and_a_refusal_writes_nothing(store: Store, write: str, actor: Actor):
    before = state(store)
    with pytest.raises(PermissionError, match=REFUSED) as refusal:
        WRITES[write](store, actor)
    assert actor.email in str(refusal.value)
    assert_unchanged(store, before)


@pytest.mark.parametrize("write", WRITES)
def test_a_planner_may_write(store: Store, write: str):
    before = state(store)
    WRITES[write](store, PLANNER)
    if write in ("save_override", "save_overrides", "write_consensus"):
        assert any(not before[t].equals(after) for t, after in state(store).items()), "something was written"


def test_the_writes_record_the_acting_person(store: Store):
    ana = person("planner", email="ana@example.com")
    WRITES["save_override"](store, ana)
    WRITES["save_overrides"](store, PLANNER)
    saved = overrides(store, CYCLE).set_index("region")
    assert saved.loc["N", "author"] == "ana@example.com" and saved.loc["S", "author"] == PLANNER.author
    history = store.query("SELECT region, author FROM forecast_override_history ORDER BY region")
    assert history["author"].tolist() == ["ana@example.com", PLANNER.author]
    assert write_consensus(store, CYCLE, actor=ana) > 0
    note = store.scalar("SELECT note FROM plan_versions WHERE cycle = ?", [CYCLE])
    assert note == "Demand plan = consensus, written by ana@example.com"
    assert not stored_baseline(store, CYCLE).empty


def test_a_stale_override_save_names_who_changed_the_cell_and_when(store: Store):
    ana, bo = person("planner", email="ana@example.com"), person("planner", email="bo@example.com")
    cell: dict[str, Any] = {"layer": "sales", "family": "A", "region": "N", "start": CYCLE, "reason": "promotion"}
    save_override(store, CYCLE, **cell, value=40.0, actor=ana)
    with pytest.raises(OverrideConflictError) as conflict:
        save_override(store, CYCLE, **cell, value=250.0, actor=bo, seen=0)  # bo still saw the empty cell
    when = conflict.value.changed_at
    assert conflict.value.changed_by == "ana@example.com" and when is not None
    assert f"changed by ana@example.com at {when:%Y-%m-%d %H:%M}" in str(conflict.value)
    assert "Nothing was saved" in str(conflict.value)
    first = overrides(store, CYCLE)
    assert first[["value", "author", "version"]].values.tolist() == [[40.0, "ana@example.com", 1]]
