"""Roles end to end: signed in through a real local OpenID provider, each person finds only their controls.

A viewer finds no upload, override, promote or approve control; a planner loads a file and the upload history
names the planner (read through a command handed to the running app); an executive approves the plan. The
demo company's current cycle has its supply and pre-S&OP steps signed off beforehand, so it is ready for the
executive meeting. The provider and the signing in: tests/support/signin.py.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_core import open_store
from sop_core.cycle import cycle_status, sign_off_step, tick_task
from sop_core.months import add_months, current_month
from sop_core.people import actor_for, add_first_admin, add_person, local_actor
from tests.support.browser import assert_no_exception, open_page, screenshot, streamlit_server, wait_idle
from tests.support.signin import oidc_provider, secrets_file, sign_in, sign_out
from tests.support.stores import ROOT

VIEWER, PLANNER, EXECUTIVE, ADMIN = "vic@example.com", "pia@example.com", "eve@example.com", "boss@example.com"
PEOPLE = {VIEWER: "Vic Viewer", PLANNER: "Pia Planner", EXECUTIVE: "Eve Executive", ADMIN: "Bo Boss"}
ROLES = {VIEWER: ["viewer"], PLANNER: ["planner"], EXECUTIVE: ["executive"]}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the provider imports Authlib's old JOSE


def ready_for_the_meeting(db: Path) -> dt.date:
    """List the team and sign off the current cycle's supply and pre-S&OP steps (open tasks waived)."""
    preparer = local_actor("test setup")
    with open_store(db) as store:
        add_first_admin(store, ADMIN, source="test")
        boss = actor_for(store, ADMIN)
        for email, roles in ROLES.items():
            add_person(store, boss, email, roles, name=PEOPLE[email])
        status = cycle_status(store)
        for step in ("supply", "pre_sop"):
            for task in status.tasks[(status.tasks["step"] == step) & ~status.tasks["done"]].itertuples():
                tick_task(store, status.cycle, task.task, actor=preparer, comment="prepared for the roles test")
            sign_off_step(store, status.cycle, step, actor=preparer)
        return status.cycle


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dt.date]]:
    """The app on a demo store with the team listed and sign-in on: (url, store file, current cycle)."""
    folder = tmp_path_factory.mktemp("roles")
    db = folder / "sop.duckdb"
    subprocess.run([sys.executable, "-m", "sop_core", "demo", "--db", str(db)], cwd=ROOT, check=True)
    cycle = ready_for_the_meeting(db)
    with oidc_provider(PEOPLE) as issuer:
        env = {"SOP_DB_PATH": str(db), "STREAMLIT_SECRETS_FILES": str(secrets_file(folder, issuer))}
        with streamlit_server(Path(ROOT) / "app.py", env=env) as url:
            yield url, db, cycle


def visit(page, url: str, path: str, heading: str) -> None:
    open_page(page, f"{url}/{path}")
    page.get_by_role("heading", name=heading, level=1).wait_for(timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)


def no_button(page, name: str) -> None:
    assert page.get_by_role("button", name=name).count() == 0, f"a {name!r} button is shown"


def test_a_viewer_finds_no_upload_override_promote_or_approve_control(team, page):
    url, _, _ = team
    sign_in(page, url, VIEWER)
    page.locator("[data-testid='stSidebar']").get_by_text("Roles: viewer").wait_for(timeout=30_000)
    visit(page, url, "data", "Data")
    page.get_by_text("Loading data needs the planner role; you are signed in as viewer.").wait_for()
    no_button(page, "Load into the store")
    screenshot(page, "roles-viewer-data")
    visit(page, url, "demand_planning", "Demand planning")
    page.get_by_text("need the planner role; you are signed in as viewer").first.wait_for()
    no_button(page, "Save overrides")
    no_button(page, "Run baseline")
    screenshot(page, "roles-viewer-demand-planning")
    visit(page, url, "scenarios", "Scenarios and trade-offs")
    page.get_by_text("need the planner role; you are signed in as viewer").first.wait_for()
    for name in ("Save scenario", "Promote", "Delete"):
        no_button(page, name)
    visit(page, url, "cycle", "S&OP cycle")
    page.get_by_text("Approving the plan needs the executive role; you are signed in as viewer.").wait_for()
    no_button(page, "Approve the plan")
    screenshot(page, "roles-viewer-cycle")
    sign_out(page)


def test_a_planner_loads_a_file_and_the_history_names_the_planner(team, page, tmp_path):
    url, db, _ = team
    month = add_months(current_month(), -1)
    upload = tmp_path / "closed-month-sales.csv"
    upload.write_text(f"date,sku,region,quantity,revenue\n{month:%Y-%m}-15,COM-101,Europe,123,51870\n")
    sign_in(page, url, PLANNER)
    visit(page, url, "data", "Data")
    with page.expect_file_chooser() as chooser:
        page.locator("[data-testid='stFileUploaderDropzone'] button").first.click()
    chooser.value.set_files(str(upload))
    page.get_by_text("The file is valid").wait_for(timeout=60_000)
    page.get_by_role("button", name="Load into the store").click()
    page.get_by_text("COMMITTED as upload").wait_for(timeout=60_000)
    assert_no_exception(page)
    screenshot(page, "roles-planner-upload")
    # The app holds the store: the command is handed to it (sop_core.jobs) and reads the history there.
    history = subprocess.run(
        [sys.executable, "-m", "sop_core", "uploads", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert history.returncode == 0, history.stderr
    latest = next(line for line in history.stdout.splitlines() if "closed-month-sales.csv" in line)
    assert PLANNER in latest


def test_an_executive_approves_the_plan(team, page):
    url, _, cycle = team
    sign_in(page, url, EXECUTIVE)
    visit(page, url, "cycle", "S&OP cycle")
    page.get_by_label("Approval comment").fill("Approved in the executive meeting")
    page.get_by_role("button", name="Approve the plan").click()
    page.get_by_text(f"Plan of {cycle:%B %Y} approved by {EXECUTIVE}").wait_for(timeout=90_000)
    assert_no_exception(page)
    screenshot(page, "roles-executive-approved")
    sign_out(page)
