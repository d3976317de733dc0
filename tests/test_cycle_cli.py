"""``python -m sop_core cycle …`` and ``decisions …``: one cycle driven from the command line, with exit codes
0 (done), 1 (refused or invalid: nothing written) and 2 (usage)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sop_core import load_demo, open_store
from sop_core.__main__ import main
from tests.support.stores import DEMO_AS_OF, ROOT


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "sop.duckdb")
    with open_store(path) as store:
        load_demo(store, as_of=DEMO_AS_OF)
    return path


def run(db: str, *args: str) -> int:
    return main([*args, "--db", db])


def test_cli_drives_a_cycle_with_exit_codes(demo_file, capsys):
    db = demo_file
    assert run(db, "cycle", "status", "--today", "2026-11-01") == 0
    out = capsys.readouterr().out
    assert "Cycle 2026-11: plan draft" in out and "Supply review" in out and "in progress" in out
    assert run(db, "cycle", "status", "--all") == 0
    assert run(db, "cycle", "agenda", "--today", "2026-11-01") == 0
    assert "Capacity overload: Assembly" in capsys.readouterr().out

    # refusals: exit 1, with the reason
    assert run(db, "cycle", "approve", "--by", "Katrin") == 1
    assert "signed off: supply, pre_sop" in capsys.readouterr().err
    assert run(db, "cycle", "open", "--by", "Ines", "--quick") == 1
    assert run(db, "cycle", "signoff", "2026-11", "supply", "--by", "Lena") == 1
    assert "overloaded, not explained: Assembly" in capsys.readouterr().err
    assert run(db, "cycle", "signoff", "2026-11", "shipping", "--by", "Lena") == 1
    assert run(db, "cycle", "reopen", "2026-11", "--by", "Katrin", "--reason", "x") == 1
    assert run(db, "decisions", "set", "999", "--status", "done", "--by", "Tom") == 1

    # usage: exit 2
    for bad in (
        ["cycle", "status", "2026-13"],
        ["cycle", "approve"],
        ["cycle", "reopen", "2026-11", "--by", "K"],
        ["cycle", "frobnicate"],
        ["decisions", "list", "--status", "late"],
    ):
        with pytest.raises(SystemExit) as exit_:
            run(db, *bad)
        assert exit_.value.code == 2

    # the supply review explains the overload with a decision linked to Assembly, then the cycle closes
    assert (
        run(
            db,
            "decisions",
            "add",
            "Cover the Assembly refit with overtime and a third shift",
            "--owner",
            "Lena",
            "--resource",
            "Assembly",
            "--due",
            "2026-11-12",
            "--by",
            "Lena",
        )
        == 0
    )
    steps = [
        ("tick", "2026-11", "supply_reviewed"),
        ("signoff", "2026-11", "supply"),
        ("tick", "2026-11", "scenarios_prepared"),
        ("tick", "2026-11", "preread_sent"),
        ("signoff", "2026-11", "pre_sop"),
    ]
    for command in steps:
        assert run(db, "cycle", *command, "--by", "Lena") == 0
    capsys.readouterr()
    assert run(db, "cycle", "approve", "--by", "Katrin", "--comment", "approved as proposed") == 0
    assert "sha256" in capsys.readouterr().out
    assert run(db, "cycle", "approve", "--by", "Katrin") == 1  # already approved
    assert run(db, "cycle", "reopen", "2026-11", "--by", "Katrin", "--reason", "late order from a key account") == 0
    assert run(db, "cycle", "approve", "--by", "Katrin") == 0
    assert run(db, "cycle", "open", "--by", "Ines", "--quick") == 0
    assert "open decisions" in capsys.readouterr().out
    assert run(db, "decisions", "list", "--cycle", "2026-12", "--overdue", "--today", "2026-12-01") == 0
    listed = capsys.readouterr().out
    assert "Qualify a second casting supplier" in listed and "Custom Skids backlog" in listed  # carried, overdue
    assert "Cap Sales overrides" not in listed  # carried, due in January


def test_cli_exit_code_from_a_real_process(demo_file):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sop_core",
            "cycle",
            "reopen",
            "2026-01",
            "--by",
            "K",
            "--reason",
            "typo",
            "--db",
            demo_file,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "refused:" in done.stderr
