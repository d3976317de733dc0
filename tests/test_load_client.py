"""bench/load_client.py against a real ``streamlit run`` of a tiny app: the websocket protocol cannot silently rot.

The app (written to a temporary folder) has two pages; the first holds a name field in the
sidebar, a slider, a button that appends to a file, a button that raises, a slider inside an
``st.fragment`` and a form that appends and calls ``st.rerun()``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.load_client import NotOnScreen, SessionError, StreamlitSession, xsrf_cookie
from tests.support.browser import streamlit_server

APP = textwrap.dedent(
    """
    import os
    from pathlib import Path

    import streamlit as st

    LOG = Path(os.environ["LOAD_CLIENT_LOG"])


    def write(line):
        with LOG.open("a") as f:
            f.write(line + "\\n")


    @st.fragment
    def card():
        moved = st.slider("Fragment lever", -5, 5, 0, key="lever")
        st.markdown(f"lever={moved}")


    def home():
        st.title("Home")
        value = st.slider("Level", 0, 10, 3, key="level")
        st.markdown(f"level={value} name={st.session_state.get('name', '')}")
        if st.button("Append"):
            write(f"{st.session_state.get('name', '')}:{value}")
            st.success("appended")
        if st.button("Fail"):
            raise ValueError("boom")
        card()
        with st.form("add", clear_on_submit=True):
            text = st.text_area("Text")
            owner = st.text_input("Owner")
            if st.form_submit_button("Add"):
                write(f"form:{text}:{owner}")
                st.rerun()


    def other():
        st.title("Other")
        st.markdown(f"other page, name={st.session_state.get('name', '')}")


    st.sidebar.text_input("Your name", key="name")
    st.navigation([st.Page(home, title="Home", default=True), st.Page(other, title="Other")]).run()
    """
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The tiny app's URL and the file its buttons append to."""
    folder = tmp_path_factory.mktemp("load_client")
    (folder / "app.py").write_text(APP)
    log = folder / "log.txt"
    log.touch()
    with streamlit_server(folder / "app.py", env={"LOAD_CLIENT_LOG": str(log)}) as url:
        yield url, log


def run(coro):
    """Run ``coro`` on a fresh event loop in its own thread: Playwright's sync API (the browser tests of the same
    pytest run) keeps a loop running in the main thread, where ``asyncio.run`` refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, 120)).result()


def test_the_server_sets_the_xsrf_cookie_the_browser_sends(served):
    url, _ = served
    token = xsrf_cookie(url, 10)
    assert token and token.startswith("2|")  # protection on: the token the websocket handshake carries


def test_connect_lists_pages_and_widgets(served):
    url, _ = served

    async def go():
        async with StreamlitSession(url) as s:
            result = await s.connect()
            assert result.ok, result.describe()
            assert result.status == ForwardMsg.FINISHED_SUCCESSFULLY
            assert list(s.pages) == ["Home", "Other"]
            assert s.page_title() == "Home"
            assert s.session_id
            kinds = {(w.kind, w.label) for w in s.widgets()}
            assert {("slider", "Level"), ("button", "Append"), ("text_input", "Your name")} <= kinds
            assert s.widget("Fragment lever").fragment_id
            assert s.widget("Text").form_id == s.widget("Add").form_id != ""
            with pytest.raises(NotOnScreen, match="Nope"):
                s.widget("Nope")
            with pytest.raises(NotOnScreen):
                await s.switch_page("Missing page")

    run(go())


def test_values_and_a_click_reach_the_script(served):
    url, log = served

    async def go():
        async with StreamlitSession(url) as s:
            await s.connect()
            await s.fill("Your name", "ann")
            result = await s.set_value(s.widget("Level"), 7)
            assert result.ok, result.describe()
            assert "level=7 name=ann" in s.texts()
            result = await s.click(s.widget("Append"))
            assert result.ok
            assert ("SUCCESS", "appended") in result.alerts
            again = await s.rerun()  # a button press is sent once; the values stay
            assert again.ok and not again.alerts and "level=7 name=ann" in s.texts()

    run(go())
    assert log.read_text().splitlines().count("ann:7") == 1


def test_a_fragment_widget_reruns_its_fragment_only(served):
    url, _ = served

    async def go():
        async with StreamlitSession(url) as s:
            await s.connect()
            result = await s.set_value(s.widget("Fragment lever"), 2)
            assert result.status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            assert result.ok
            assert "lever=2" in s.texts() and "level=3 name=" in s.texts()  # the page around it stays

    run(go())


def test_a_form_submit_then_st_rerun_ends_with_the_rerun(served):
    url, log = served

    async def go():
        async with StreamlitSession(url) as s:
            await s.connect()
            with pytest.raises(SessionError, match="form"):
                await s.set_value(s.widget("Text"), "no")
            result = await s.click(s.widget("Add"), {s.widget("Text"): "hello", s.widget("Owner"): "bob"})
            assert result.ok, result.describe()
            assert result.status == ForwardMsg.FINISHED_SUCCESSFULLY

    run(go())
    assert "form:hello:bob" in log.read_text().splitlines()


def test_an_exception_in_the_script_fails_the_run(served):
    url, _ = served

    async def go():
        async with StreamlitSession(url) as s:
            await s.connect()
            result = await s.click(s.widget("Fail"))
            assert result.status == ForwardMsg.FINISHED_SUCCESSFULLY  # Streamlit shows it as an element
            assert not result.ok
            assert "ValueError: boom" in result.describe()

    run(go())


def test_page_switches_keep_what_stays_on_screen_and_drop_the_rest(served):
    url, _ = served

    async def go():
        async with StreamlitSession(url) as s:
            await s.connect()
            await s.fill("Your name", "bea")
            await s.set_value(s.widget("Level"), 9)
            result = await s.switch_page("Other")
            assert result.ok and s.page_title() == "Other"
            assert "other page, name=bea" in s.texts()  # the sidebar name is on every page
            result = await s.switch_page("Home")
            assert result.ok
            assert "level=3 name=bea" in s.texts()  # the slider left the screen: back to its default

    run(go())


def test_sessions_at_once_each_keep_their_own_state(served):
    url, log = served
    names = [f"user{i}" for i in range(4)]

    async def one(name: str, value: int) -> None:
        async with StreamlitSession(url) as s:
            assert (await s.connect()).ok
            await s.fill("Your name", name)
            assert (await s.set_value(s.widget("Level"), value)).ok
            assert (await s.click(s.widget("Append"))).ok

    async def go():
        await asyncio.gather(*(one(n, i) for i, n in enumerate(names)))

    run(go())
    lines = log.read_text().splitlines()
    assert all(lines.count(f"{n}:{i}") == 1 for i, n in enumerate(names))
