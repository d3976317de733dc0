"""Every step of the cycle from the command line: ``cycle consensus|carried|confirm-overrides``, ``supply …`` and
``assumptions …``, each with its success, a refusal (exit 1, the store unchanged) and a usage error (exit 2), and
handed to a running app like every other command."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sop_core import open_store
from sop_core.__main__ import build_parser, main
from sop_core.cycle import (
    carried_overrides,
    cycle_template,
    holidays,
    list_assumptions,
    open_cycle,
    supply_policies,
    task_template,
)
from sop_core.cycle.supply_plan import preview_supply_plan, supply_adjustments
from sop_core.forecast import consensus
from sop_core.jobs import Runner, Spool, hand_off
from sop_core.plans import approve_plan
from tests.support.apptest import build_demo_file, list_person
from tests.support.imports import dump
from tests.support.people import LOCAL
from tests.support.stores import DEMO_AS_OF

PUMPS = "Compact Pumps"


@pytest.fixture(autouse=True)
def _no_ambient_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOP_USER", raising=False)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo at 2026-11: cycle 2026-11 a draft in its supply review, 2026-10 approved (frozen)."""
    return build_demo_file(tmp_path_factory.mktemp("demo"), DEMO_AS_OF)


@pytest.fixture(scope="module")
def next_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with 2026-11 approved and 2026-12 opened: the overrides of 2026-11 carried, flagged for review."""
    path = tmp_path_factory.mktemp("next") / "sop.duckdb"
    shutil.copy(demo_file, path)
    with open_store(path) as store:
        approve_plan(store, "2026-11", LOCAL)
        open_cycle(store, "2026-12", actor=LOCAL, mode="quick")
    return path


@pytest.fixture()
def db(demo_file: Path, tmp_path: Path) -> str:
    """A copy of the demo for one test."""
    path = tmp_path / "sop.duckdb"
    shutil.copy(demo_file, path)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    """Run ``python -m sop_core ARGS --db DB`` in this process: exit code, stdout, stderr (argparse: its exit)."""
    capsys.readouterr()
    try:
        code = main([*args, "--db", db])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(db: str) -> dict[str, str]:
    with open_store(db) as store:
        return dump(store)


def refused_unchanged(capsys: pytest.CaptureFixture[str], db: str, args: list[str], message: str) -> None:
    """``args`` exits 1 with ``refused: …message…`` and leaves every table as it was."""
    before = snapshot(db)
    code, out, err = run(capsys, db, *args)
    assert code == 1, out + err
    assert err.startswith("refused: ") and message in err, err
    assert snapshot(db) == before


def usage(capsys: pytest.CaptureFixture[str], db: str, args: list[str]) -> str:
    """``args`` exits 2 (argparse or a usage error); returns what it printed on stderr."""
    code, out, err = run(capsys, db, *args)
    assert code == 2, out + err
    return err


def with_people(db: str) -> None:
    """List a viewer and a planner: from now on ``--as`` must name who acts and their roles decide."""
    list_person(Path(db), "viewer@example.com", "viewer")
    list_person(Path(db), "planner@example.com", "planner")


# ------------------------------------------------------------------- demand review
def test_consensus_written_as_the_demand_plan(db, capsys):
    key = {"c": pd.Timestamp("2026-11-01").date(), "f": PUMPS}
    with open_store(db) as store, store.transaction() as cur:
        cur.execute("UPDATE demand_plan SET quantity = 0 WHERE cycle = $c AND family = $f", key)
    code, out, err = run(capsys, db, "cycle", "consensus", "--as", "ines@example.com")
    assert code == 0, err
    assert "Consensus written as the demand plan of cycle 2026-11: 432 rows" in out
    with open_store(db) as store:
        written = store.query(
            "SELECT region, month, quantity FROM demand_plan WHERE cycle = $c AND family = $f ORDER BY ALL", key
        )
        expected = consensus(store, "2026-11", [PUMPS]).sort_values(["region", "month"], ignore_index=True)
    assert (written["quantity"] > 0).all()
    assert (written["quantity"].to_numpy() == (expected["consensus"] + 0.5).apply(int).to_numpy()).all()


def test_consensus_refusals_and_usage(db, capsys):
    refused_unchanged(capsys, db, ["cycle", "consensus", "2026-10"], "approved and frozen")
    refused_unchanged(capsys, db, ["cycle", "consensus", "2030-01"], "no plan for that cycle")  # no draft made
    usage(capsys, db, ["cycle", "consensus", "2026-13"])
    with open_store(db) as store, store.transaction() as cur:
        cur.execute("DELETE FROM forecast_baseline WHERE cycle = DATE '2026-11-01'")
    refused_unchanged(capsys, db, ["cycle", "consensus"], "no statistical baseline to build the consensus on")
    with_people(db)
    refused_unchanged(capsys, db, ["cycle", "consensus", "--as", "viewer@example.com"], "may not run the baseline")
    assert "--as EMAIL" in usage(capsys, db, ["cycle", "consensus"])  # nobody named while people are listed


def test_carried_overrides_listed_and_confirmed(next_file, tmp_path, capsys):
    db = str(tmp_path / "sop.duckdb")
    shutil.copy(next_file, db)
    code, out, _ = run(capsys, db, "cycle", "carried")
    assert code == 0 and "2026-11" in out and "marketing" in out  # carried from 2026-11
    with open_store(db) as store:
        before = carried_overrides(store, "2026-12")
    mine = before[(before["layer"] == "marketing") & (before["family"] == PUMPS) & before["to_review"]]
    region = str(mine["region"].iloc[0])
    first = mine[mine["region"] == region]
    assert 0 < len(first) < len(mine) and before["to_review"].sum() > len(mine)
    confirm = ["cycle", "confirm-overrides", "2026-12", "--layer", "marketing", "--family", PUMPS]
    code, out, err = run(capsys, db, *confirm, "--region", region)
    assert code == 0, err
    left = int(before["to_review"].sum()) - len(first)
    assert f"{len(first)} carried override cell(s) of cycle 2026-12 confirmed" in out and f"; {left} left" in out
    assert f"(family {PUMPS}, region {region}, layer marketing)" in out
    code, out, err = run(capsys, db, *confirm)
    left -= len(mine) - len(first)
    assert code == 0 and f"{len(mine) - len(first)} carried override cell(s)" in out, err
    with open_store(db) as store:
        after = carried_overrides(store, "2026-12")
    assert int(after["to_review"].sum()) == left
    assert not after[(after["layer"] == "marketing") & (after["family"] == PUMPS)]["to_review"].any()
    code, out, _ = run(capsys, db, "cycle", "carried", "2026-12", "--all")
    assert code == 0 and len(out.splitlines()) == len(after) + 1  # every cell, under one header

    refused_unchanged(capsys, db, ["cycle", "confirm-overrides", "--family", "Pumsp"], "Unknown family: Pumsp")
    refused_unchanged(capsys, db, ["cycle", "confirm-overrides", "--layer", "ops"], "Unknown layer 'ops'")
    refused_unchanged(capsys, db, ["cycle", "confirm-overrides", "--region", "Mars"], "Unknown region: Mars")
    refused_unchanged(capsys, db, ["cycle", "confirm-overrides", "2026-11"], "approved and frozen")
    usage(capsys, db, ["cycle", "confirm-overrides", "--layer"])
    with_people(db)
    refused_unchanged(
        capsys, db, ["cycle", "confirm-overrides", "--as", "viewer@example.com"], "may not run the baseline"
    )
    code, out, err = run(capsys, db, "cycle", "confirm-overrides", "--as", "planner@example.com")
    assert code == 0 and f"{left} carried override cell(s)" in out and "; 0 left to review" in out, out + err


# ------------------------------------------------------------------- supply review
def test_supply_policy_listed_and_set(db, capsys):
    code, out, _ = run(capsys, db, "supply", "policy")
    assert code == 0 and PUMPS in out and "default" in out
    code, out, err = run(capsys, db, "supply", "policy", PUMPS, "--strategy", "level", "--target-days", "25")
    assert code == 0, err
    assert out.strip() == f"Supply policy of {PUMPS}: level, target 25.0 days of inventory cover."
    assert run(capsys, db, "supply", "policy", PUMPS, "--default-target")[0] == 0  # the strategy kept
    with open_store(db) as store:
        policy = supply_policies(store).set_index("family").loc[PUMPS]
    assert (policy["strategy"], policy["source"]) == ("level", "set")
    assert policy["target_days"] == policy["default_target_days"]

    refused_unchanged(capsys, db, ["supply", "policy", "Pumps", "--strategy", "chase"], "Unknown family: Pumps")
    refused_unchanged(capsys, db, ["supply", "policy", PUMPS, "--target-days", "-3"], "at least 0")
    usage(capsys, db, ["supply", "policy", PUMPS, "--strategy", "sideways"])
    assert "say what to set" in usage(capsys, db, ["supply", "policy", PUMPS])
    usage(capsys, db, ["supply", "policy", PUMPS, "--target-days", "20", "--default-target"])
    with_people(db)
    refused_unchanged(
        capsys,
        db,
        ["supply", "policy", PUMPS, "--strategy", "chase", "--as", "viewer@example.com"],
        "may not change the supply plan",
    )


def test_supply_generate_writes_the_plan_and_says_if_it_fits(db, capsys):
    before = snapshot(db)
    code, out, err = run(capsys, db, "supply", "generate", "--dry-run", "--family", PUMPS)
    assert code == 0, err
    assert "dry run, nothing written" in out and PUMPS in out and "Controllers" not in out
    assert snapshot(db) == before

    assert run(capsys, db, "supply", "policy", PUMPS, "--strategy", "level")[0] == 0
    code, out, err = run(capsys, db, "supply", "generate", "2026-11", "--as", "lena@example.com")
    assert code == 0, err
    assert "generated for 8 families" in out and f"level: {PUMPS}" in out and "288 production and inventory" in out
    assert "Rough-cut capacity: 3 overloaded resource-month(s), the worst Assembly" in out
    with open_store(db) as store:
        plan = preview_supply_plan(store, "2026-11", families=[PUMPS]).plan
        stored = store.query(
            "SELECT month, quantity, quantity / working_days AS rate FROM production_plan JOIN calendar USING (month) "
            "WHERE cycle = DATE '2026-11-01' AND family = ? ORDER BY month",
            [PUMPS],
        )
    assert stored["quantity"].round(6).tolist() == plan["production"].round(6).tolist()
    assert stored["rate"].round(6).nunique() == 1  # level: one rate per working day

    refused_unchanged(capsys, db, ["supply", "generate", "2026-10"], "approved and frozen")
    refused_unchanged(capsys, db, ["supply", "generate", "--family", "Pumps"], "No demand plan in cycle 2026-11")
    refused_unchanged(capsys, db, ["supply", "show", "--family", "Pumps"], "Unknown family: Pumps")
    usage(capsys, db, ["supply", "generate", "Nov-2026"])
    with open_store(db) as store, store.transaction() as cur:
        cur.execute("DELETE FROM demand_plan WHERE cycle = DATE '2026-11-01'")
    refused_unchanged(capsys, db, ["supply", "generate"], "has no demand plan to plan supply from")
    with_people(db)
    refused_unchanged(capsys, db, ["supply", "generate", "--as", "viewer@example.com"], "may not change the supply")


def _shown_production(out: str, month: str) -> str:
    """The production printed by ``supply show`` for ``month`` (one family shown)."""
    line = next(line for line in out.splitlines() if re.search(rf"\b{month}\b", line))
    return line.split()[len(PUMPS.split()) + 2]  # family words, month, demand, then production


def test_supply_adjust_with_the_seen_check(db, capsys):
    code, out, _ = run(capsys, db, "supply", "show", "2026-11", "--family", PUMPS)
    assert code == 0
    seen = _shown_production(out, "2026-12")
    args = ["supply", "adjust", "2026-11", PUMPS, "2026-12", "2500", "--reason", "holiday build"]
    code, out, err = run(capsys, db, *args, "--seen", seen, "--as", "lena@example.com")
    assert code == 0, err  # the printed value goes back as --seen
    assert f"Production of {PUMPS} in 2026-12 (cycle 2026-11) set to 2,500 units, was" in out
    with open_store(db) as store:
        log = supply_adjustments(store, "2026-11")
    assert log[["new_quantity", "reason", "adjusted_by"]].values.tolist() == [
        [2500.0, "holiday build", "lena@example.com"]
    ]

    stale = ["supply", "adjust", "2026-11", PUMPS, "2026-12", "2600", "--reason", "more", "--seen", seen]
    refused_unchanged(capsys, db, stale, "was changed by lena@example.com")
    code, out, err = run(capsys, db, *stale[:-2], "--as", "tom@example.com")  # no --seen: the cell as it is now
    assert code == 0 and "set to 2,600 units, was 2,500 units" in out, err
    code, out, _ = run(capsys, db, "supply", "log")
    assert code == 0 and "holiday build" in out and "tom@example.com" in out

    frozen = ["supply", "adjust", "2026-10", PUMPS, "2026-12", "1", "--reason", "x"]
    refused_unchanged(capsys, db, frozen, "approved and frozen")
    refused_unchanged(capsys, db, [*stale[:-2], "--reason", " "], "a reason is required")
    refused_unchanged(capsys, db, ["supply", "adjust", "2026-11", PUMPS, "2029-01", "1", "--reason", "x"], "outside")
    usage(capsys, db, stale[:-4])  # no --reason
    usage(capsys, db, ["supply", "adjust", "2026-11", PUMPS, "2026-12", "lots", "--reason", "x"])
    with_people(db)
    refused_unchanged(capsys, db, [*stale[:-2], "--as", "viewer@example.com"], "may not change the supply plan")


def test_supply_check_prints_overloads(db, capsys):
    code, out, err = run(capsys, db, "supply", "check")
    assert code == 0, err
    assert out.startswith("Supply check of cycle 2026-11: 3 overloaded resource-month(s)")
    assert re.search(r"Assembly 2027-04 .* 12\d\.\d %", out)
    assert run(capsys, db, "supply", "log")[1].startswith("No supply plan adjustments in cycle 2026-11.")
    refused_unchanged(capsys, db, ["supply", "check", "2031-01"], "no plan for that cycle")
    usage(capsys, db, ["supply", "check", "2026-1"])
    usage(capsys, db, ["supply"])


def test_supply_check_strict_exits_3_on_overloads_or_shortages(db, capsys):
    code, out, err = run(capsys, db, "supply", "check", "--strict")
    assert code == 3, err
    assert out == run(capsys, db, "supply", "check")[1]  # the same report; only the exit code differs
    assert out.startswith("Supply check of cycle 2026-11: 3 overloaded resource-month(s)")
    with open_store(db) as store, store.transaction() as cur:
        cur.execute("UPDATE capacity SET available_hours = available_hours * 10")
    code, out, err = run(capsys, db, "supply", "check", "--strict")
    assert (code, err) == (0, ""), out
    assert out.startswith("Supply check of cycle 2026-11: within capacity, 0 at the warning threshold, 0 family")
    with open_store(db) as store, store.transaction() as cur:
        cur.execute("UPDATE production_plan SET quantity = 0 WHERE cycle = DATE '2026-11-01' AND family = ?", [PUMPS])
    code, out, _ = run(capsys, db, "supply", "check", "--strict")
    assert code == 3 and "within capacity" in out and "Short of supply" in out, out
    assert run(capsys, db, "supply", "check")[0] == 0  # without --strict a finding is not a failure
    refused_unchanged(capsys, db, ["supply", "check", "2031-01", "--strict"], "no plan for that cycle")
    usage(capsys, db, ["supply", "check", "--strict=yes"])
    help_text = _help(capsys, ["supply", "check", "--help"])
    assert "--strict" in help_text and "3 with --strict: an overload or a shortage was found" in help_text


def _help(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """What ``python -m sop_core ARGV --help`` prints (argparse exits 0)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())


# ------------------------------------------------------------------- the template and the holidays
def test_template_shown_set_and_a_task_added(db, capsys):
    code, out, err = run(capsys, db, "template", "show")
    assert code == 0, err
    assert re.search(r"demand +Demand review +Jonas Keller \(Sales\) +planner +6", out)
    assert re.search(r"demand +consensus_saved +Consensus demand plan saved +automatic", out)
    code, out, err = run(
        capsys, db, "template", "set", "demand", "--offset", "7", "--owner", "Mia Roth", "--as", "ines@example.com"
    )
    assert code == 0, err
    assert out.startswith(
        "Step demand of the template: Demand review, owned by Mia Roth (planner), due on working day 7"
    )
    code, out, err = run(
        capsys, db, "template", "add-task", "supply", "Check the supplier lead times", "--as", "lena@example.com"
    )
    assert code == 0, err
    assert out.startswith("Task check_the_supplier_lead_times added to the supply step of the template")
    with open_store(db) as store:
        step = cycle_template(store).set_index("step").loc["demand"]
        tasks = task_template(store)
        log = store.query("SELECT subject, decided_by FROM decisions WHERE kind = 'template' ORDER BY decision_id")
    assert (step["owner"], step["offset_days"]) == ("Mia Roth", 7)
    assert tasks[tasks["step"] == "supply"]["label"].tolist()[-1] == "Check the supplier lead times"
    assert log.values.tolist()[-2:] == [["demand", "ines@example.com"], ["supply", "lena@example.com"]]


def test_template_refusals_and_usage(db, capsys):
    refused_unchanged(capsys, db, ["template", "set", "demand", "--offset", "10"], "between the offsets")
    refused_unchanged(capsys, db, ["template", "set", "supply", "--role", "viewer"], "owning role must be")
    refused_unchanged(capsys, db, ["template", "add-task", "data", "  "], "A task needs a label")
    assert "say what to change" in usage(capsys, db, ["template", "set", "demand"])
    assert "invalid choice: 'review'" in usage(capsys, db, ["template", "set", "review", "--offset", "4"])
    usage(capsys, db, ["template", "set", "demand", "--offset", "six"])
    usage(capsys, db, ["template"])
    with_people(db)
    refused_unchanged(
        capsys, db, ["template", "set", "demand", "--offset", "7", "--as", "planner@example.com"], "settings"
    )
    assert "--as EMAIL" in usage(capsys, db, ["template", "add-task", "data", "Check"])


def test_holidays_listed_added_renamed_removed(db, capsys):
    code, out, _ = run(capsys, db, "holidays", "list")
    assert code == 0 and out.startswith("No holidays"), out
    code, out, err = run(capsys, db, "holidays", "add", "2027-05-03", "Bank holiday", "--as", "ines@example.com")
    assert code == 0 and out.startswith("Holiday 2027-05-03 (Bank holiday) added"), err
    code, out, _ = run(capsys, db, "holidays", "add", "2027-05-03", "May Day")
    assert code == 0 and out.startswith("Holiday 2027-05-03 (May Day) renamed"), out
    code, out, _ = run(capsys, db, "holidays", "list")
    assert re.search(r"2027-05-03 +May Day", out), out
    with open_store(db) as store:
        assert holidays(store) == [pd.Timestamp("2027-05-03").date()]
    code, out, _ = run(capsys, db, "holidays", "remove", "2027-05-03")
    assert code == 0 and out.startswith("Holiday 2027-05-03 (May Day) removed"), out
    with open_store(db) as store:
        assert holidays(store) == []
        log = store.query("SELECT subject, detail FROM decisions WHERE kind = 'holiday' ORDER BY decision_id")
    assert log["detail"].tolist() == ['{"name": "Bank holiday"}', '{"name": "May Day"}', '{"removed": "May Day"}']


def test_holidays_refusals_and_usage(db, capsys):
    run(capsys, db, "holidays", "add", "2027-05-03", "Bank holiday")
    refused_unchanged(capsys, db, ["holidays", "remove", "2027-05-04"], "2027-05-04 is not a holiday")
    refused_unchanged(capsys, db, ["holidays", "add", "2027-05-04", " "], "needs a name")
    assert "a date is YYYY-MM-DD, not '2027-5-4'" in usage(capsys, db, ["holidays", "add", "2027-5-4", "x"])
    usage(capsys, db, ["holidays", "add", "2027-05-04"])
    usage(capsys, db, ["holidays", "remove"])
    with_people(db)
    refused_unchanged(capsys, db, ["holidays", "remove", "2027-05-03", "--as", "viewer@example.com"], "settings")
    assert "--as EMAIL" in usage(capsys, db, ["holidays", "add", "2027-05-04", "Bridge day"])


# ------------------------------------------------------------------- the assumption register
def test_assumptions_mirror_decisions(db, capsys):
    code, out, _ = run(capsys, db, "assumptions", "list", "--status", "open")
    assert code == 0 and "Steel prices rise 8 %" in out and "done" not in out
    code, out, err = run(
        capsys, db, "assumptions", "add", "Copper stays below 9,000 a tonne", "--owner", "Tom", "--family", PUMPS
    )
    assert code == 0 and out.strip() == "Assumption 5 recorded.", err
    code, out, _ = run(capsys, db, "assumptions", "set", "5", "--status", "dropped", "--owner", "Tom Berg")
    assert code == 0 and out.strip() == "Assumption 5: 2 field(s) changed."
    with open_store(db) as store:
        item = list_assumptions(store).set_index("id").loc[5]
    assert (item["status"], item["owner"], item["family"]) == ("dropped", "Tom Berg", PUMPS)

    refused_unchanged(capsys, db, ["assumptions", "set", "99", "--status", "done"], "There is no assumption 99")
    refused_unchanged(capsys, db, ["assumptions", "add", "x", "--owner", "T", "--family", "Pumps"], "Unknown family")
    assert "say what to change" in usage(capsys, db, ["assumptions", "set", "5"])
    assert "say what to change" in usage(capsys, db, ["decisions", "set", "1"])  # one builder for both registers
    usage(capsys, db, ["assumptions", "list", "--status", "late"])
    usage(capsys, db, ["assumptions", "add", "no owner"])
    with_people(db)
    refused_unchanged(
        capsys, db, ["assumptions", "add", "x", "--owner", "T", "--as", "viewer@example.com"], "may not record"
    )


# ------------------------------------------------------------------- handed to the running app
@pytest.fixture()
def twins(demo_file: Path, tmp_path: Path) -> Iterator[tuple[str, str, Runner]]:
    """Two copies of the demo: one for direct runs, one held by this process with the app's runner started."""
    direct, held = tmp_path / "direct" / "sop.duckdb", tmp_path / "held" / "sop.duckdb"
    for path in (direct, held):
        path.parent.mkdir()
        shutil.copy(demo_file, path)
    store = open_store(held)
    runner = Runner(store, poll=0.02).start()
    yield str(direct), str(held), runner
    runner.stop(timeout=5)
    store.close()


def test_new_commands_are_handed_to_a_running_app(twins, capsys):
    direct, held, runner = twins
    commands = [
        ["cycle", "consensus", "--as", "ines@example.com"],
        ["supply", "policy", PUMPS, "--strategy", "hybrid"],
        ["supply", "generate", "--as", "lena@example.com"],
        ["supply", "adjust", "2026-11", PUMPS, "2027-01", "2400", "--reason", "x", "--as", "lena@example.com"],
        ["supply", "adjust", "2026-10", PUMPS, "2027-01", "2400", "--reason", "x"],  # refused: frozen
        ["cycle", "confirm-overrides", "--family", PUMPS],
        ["assumptions", "add", "Lead times stay at 6 weeks", "--owner", "Lena"],
        ["supply", "check"],
    ]
    for argv in commands:
        mine = run(capsys, direct, *argv)
        capsys.readouterr()
        full = [*argv, "--db", held]
        code = hand_off(build_parser().parse_args(full), full, Spool(held), time.monotonic() + 60)
        out, err = capsys.readouterr()
        assert (code, out, err) == mine, argv
        assert code == (1 if "2026-10" in argv else 0), out + err
    assert runner.alive
    with open_store(direct) as store:
        expected = dump(store)
    got = dump(runner.store)
    for table in ("demand_plan", "production_plan", "inventory_plan", "supply_policies", "assumptions"):
        assert _without_times(got[table]) == _without_times(expected[table]), table


def test_template_and_holiday_commands_are_handed_to_a_running_app(twins, capsys):
    direct, held, runner = twins
    commands = [
        ["template", "set", "supply", "--offset", "10", "--as", "ines@example.com"],
        ["template", "add-task", "pre_sop", "Invite the plant managers"],
        ["template", "set", "supply", "--offset", "99"],  # refused: beyond the next step's offset
        ["holidays", "add", "2027-05-03", "Bank holiday"],
        ["holidays", "remove", "2027-05-04"],  # refused: not a holiday
        ["holidays", "list"],
        ["template", "show"],
        ["supply", "check", "--strict"],  # exit 3: the demo's overloads
    ]
    for argv in commands:
        mine = run(capsys, direct, *argv)
        full = [*argv, "--db", held]
        code = hand_off(build_parser().parse_args(full), full, Spool(held), time.monotonic() + 60)
        out, err = capsys.readouterr()
        assert (code, out, err) == mine, argv
        assert code == (1 if argv[-1] in ("99", "2027-05-04") else 3 if "--strict" in argv else 0), out + err
    assert runner.alive
    with open_store(direct) as store:
        expected = dump(store)
    got = dump(runner.store)
    for table in ("cycle_template", "cycle_template_tasks", "holidays"):
        assert _without_times(got[table]) == _without_times(expected[table]), table


def _without_times(csv: str) -> list[str]:
    """A dumped table's rows without timestamps (the two runs happen at different moments)."""
    return sorted(re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?", "<t>", line) for line in csv.splitlines())
