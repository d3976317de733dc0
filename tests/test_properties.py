"""Property-based invariants of the store-level calculations."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_core.calc import project_backlog_arrays
from sop_core.conventions import EPS
from sop_core.deviation import tolerance_status
from sop_core.supply import project_family

finite = st.floats(-10, 10, allow_nan=False)
qty = st.floats(0, 1e5, allow_nan=False)


@given(st.lists(finite, min_size=1, max_size=50), st.floats(0, 1, allow_nan=False))
def test_tolerance_status_is_a_partition(devs, tol):
    status = tolerance_status(np.array(devs), tol)
    for dev, got in zip(devs, status, strict=True):
        expected = "ok" if abs(dev) <= tol + EPS else ("above" if dev > 0 else "below")
        assert got == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(qty, qty), min_size=1, max_size=24), qty, st.floats(0, 1e3))
def test_mts_projection_balances_and_never_goes_negative(rows, opening, backorders):
    demand = np.array([r[0] for r in rows])
    supply = np.array([r[1] for r in rows])
    out = project_family(
        demand,
        supply,
        np.full(len(rows), 30.0),
        "mts",
        {"inventory": opening, "backorders": backorders, "backlog": 0.0},
    )
    assert (out["ending_inventory"] >= 0).all() and (out["backorders"] >= 0).all()
    balance = opening - backorders + np.cumsum(supply) - np.cumsum(demand)
    np.testing.assert_allclose(out["ending_inventory"] - out["backorders"], balance, rtol=1e-9, atol=1e-6)
    assert ((out["ending_inventory"] == 0) | (out["backorders"] == 0)).all()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(qty, qty), min_size=1, max_size=24), qty)
def test_mto_backlog_balances_and_ships_only_what_is_ordered(rows, opening):
    orders = np.array([r[0] for r in rows])
    plan = np.array([r[1] for r in rows])
    backlog, shipped = project_backlog_arrays(opening, orders, plan)
    assert (backlog >= -1e-9).all() and (shipped <= plan + 1e-9).all()
    np.testing.assert_allclose(backlog, opening + np.cumsum(orders) - np.cumsum(shipped), rtol=1e-9, atol=1e-6)
