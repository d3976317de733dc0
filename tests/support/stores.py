"""Stores the tests build: a hand-built tiny store and the demo company's fixed date."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pandas as pd

from sop_core import Store
from sop_core.actuals import insert_actuals
from sop_core.plans import write_plan_rows

ROOT = Path(__file__).resolve().parents[2]

DEMO_AS_OF = dt.date(2026, 11, 1)


def _frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def build_tiny(store: Store) -> None:
    """Two families (A make-to-stock, B make-to-order), one resource, cycles 2026-01..03.

    Every expected number in test_analysis.py is worked out by hand from these rows.
    """
    with store.transaction() as cur:
        cur.execute("""INSERT INTO families VALUES
            ('A', 'mts', 'units', 10, 6, 10, 40, 5),
            ('B', 'mto', 'units', 100, 70, 10, 30, 10)""")
        cur.execute("INSERT INTO products VALUES ('A1', 'A', 'a one'), ('A2', 'A', 'a two')")
        cur.execute("INSERT INTO regions VALUES ('N', 'north'), ('S', 'south')")
        cur.execute("INSERT INTO resources VALUES ('R', 'the line', 0.9)")
        cur.execute("INSERT INTO bill_of_resources VALUES ('A', 'R', 0.5), ('B', 'R', 2)")
        cur.execute("""INSERT INTO capacity SELECT 'R', m, 100
                       FROM (VALUES (DATE '2026-01-01'), ('2026-02-01'), ('2026-03-01'), ('2026-04-01')) t(m)""")
        demand = {
            "2026-01": [
                ("A", "N", "2026-01-01", 60),
                ("A", "S", "2026-01-01", 40),
                ("A", "N", "2026-02-01", 60),
                ("A", "S", "2026-02-01", 50),
                ("B", "N", "2026-01-01", 10),
                ("B", "N", "2026-02-01", 10),
            ],
            "2026-02": [
                ("A", "N", "2026-02-01", 70),
                ("A", "S", "2026-02-01", 50),
                ("A", "N", "2026-03-01", 70),
                ("A", "S", "2026-03-01", 50),
                ("B", "N", "2026-02-01", 12),
                ("B", "N", "2026-03-01", 12),
            ],
            "2026-03": [
                ("A", "N", "2026-03-01", 80),
                ("A", "S", "2026-03-01", 50),
                ("A", "N", "2026-04-01", 60),
                ("A", "S", "2026-04-01", 40),
                ("B", "N", "2026-03-01", 14),
                ("B", "N", "2026-04-01", 14),
            ],
        }
        for cycle, rows in demand.items():
            write_plan_rows(cur, "demand_plan", cycle, _frame("family region month quantity", rows))
        write_plan_rows(
            cur,
            "production_plan",
            "2026-01",
            _frame("family month quantity", [("A", "2026-01-01", 100), ("A", "2026-02-01", 110)]),
        )
        write_plan_rows(
            cur,
            "production_plan",
            "2026-02",
            _frame("family month quantity", [("A", "2026-02-01", 125), ("A", "2026-03-01", 120)]),
        )
        write_plan_rows(
            cur,
            "production_plan",
            "2026-03",
            _frame(
                "family month quantity",
                [("A", "2026-03-01", 150), ("A", "2026-04-01", 100), ("B", "2026-03-01", 10), ("B", "2026-04-01", 10)],
            ),
        )
        write_plan_rows(
            cur,
            "budget",
            "2026-01",
            _frame("family month volume revenue", [("A", "2026-01-01", 90, 900), ("A", "2026-02-01", 100, 1000)]),
        )
        cur.execute("UPDATE plan_versions SET status = 'approved' WHERE cycle < DATE '2026-03-01'")
        insert_actuals(
            cur,
            _frame(
                "kind month sku family region quantity revenue",
                [
                    ("sales", "2026-01-01", "A1", None, "N", 50, 520.0),
                    ("sales", "2026-01-01", "A2", None, "S", 55, None),
                    ("sales", "2026-02-01", "A1", None, "N", 70, None),
                    ("sales", "2026-02-01", "A2", None, "S", 62, None),
                    ("orders", "2026-01-01", None, "A", "", 110, None),
                    ("orders", "2026-02-01", None, "A", "", 130, None),
                    ("orders", "2026-01-01", None, "B", "N", 9, None),
                    ("orders", "2026-02-01", None, "B", "N", 12, None),
                    ("production", "2026-01-01", None, "A", "", 100, None),
                    ("production", "2026-02-01", None, "A", "", 118.75, None),
                    ("inventory", "2026-02-01", "A1", None, "", 20, None),
                    ("inventory", "2026-02-01", "A2", None, "", 10, None),
                    ("backlog", "2026-02-01", None, "B", "", 5, None),
                ],
            ),
        )


# A second process that opens the store and holds it until its stdin is closed.
HOLD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from sop_core import open_store
    store = open_store({path!r})
    print("ready", flush=True)
    sys.stdin.readline()
    store.close()
    """
)
