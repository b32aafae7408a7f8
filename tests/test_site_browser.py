"""The built site in a real browser: headless Chromium, driven over the DevTools protocol.

The site is served on 127.0.0.1 (http.server in a thread, port 0). Chromium runs with
background networking disabled and speaks the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4), so no extra package is needed.
Each page is checked for console errors, uncaught exceptions and requests that leave
localhost; links are followed; screenshots land in tests/artifacts/ (gitignored).
Set COUNTRY_PROFILES_UPDATE_SCREENSHOT=1 to also refresh docs/screenshot-kgz.png.
"""

from __future__ import annotations

import base64
import fcntl
import functools
import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from country_profiles import load
from country_profiles.paths import REPO_ROOT
from country_profiles.site import build_site

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
README_SCREENSHOT = REPO_ROOT / "docs" / "screenshot-kgz.png"
COUNTRY = "KGZ"
TIMEOUT = 20.0


def find_chromium() -> str | None:
    """$CHROMIUM, else Debian's /usr/bin/chromium, else a Chromium or Chrome on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


CHROMIUM = find_chromium()
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def chromium_is_there():
    """A missing browser fails these tests, loudly: a skip would pass a run that tested no page."""
    if CHROMIUM is None:
        pytest.fail("no Chromium: install Debian's chromium package (apt-get install chromium; .ci/run does) "
                    "or set CHROMIUM to a Chromium binary")


# --- a minimal DevTools protocol client ------------------------------------------------------------


TRAMPOLINE = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
              "os.execv(sys.argv[3], sys.argv[3:])")


class DevToolsError(RuntimeError):
    pass


class Chromium:
    """Headless Chromium and its DevTools protocol over a pipe: `send` a command, read `events`."""

    FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
             "--remote-debugging-pipe")

    def __init__(self, executable: str, profile: Path, log: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4. A tiny Python trampoline puts
        # the pipe ends there; copies at 10 or above first, so neither end can already be fd 3 or 4.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (commands_read, replies_write)]
        os.close(commands_read)
        os.close(replies_write)
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", TRAMPOLINE, *map(str, ends), executable, *self.FLAGS,
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=ends, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
        )
        for fd in ends:
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline, f"a reply to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, session: str, since: int) -> dict[str, Any]:
        """The first event `method` of `session` at or after index `since` of `events`."""
        deadline = time.monotonic() + TIMEOUT
        checked = since
        while True:
            for event in self.events[checked:]:
                if event["method"] == method and event.get("sessionId") == session:
                    return event
            checked = len(self.events)
            message = self._read(deadline, method)
            if "method" in message:
                self.events.append(message)

    def _read(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise DevToolsError(f"no {waiting_for} from Chromium (exit code {self.process.poll()})")
            ready, _, _ = select.select([self._replies], [], [], remaining)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise DevToolsError(f"Chromium closed the pipe while we waited for {waiting_for}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (DevToolsError, OSError):  # already gone
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)
        self._log.close()


class Tab:
    """One page target: navigate, evaluate, screenshot, and what the page logged and requested."""

    def __init__(self, browser: Chromium, *, width: int = 1100, height: int = 900, mobile: bool = False,
                 dark: bool = False) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        self.send("Emulation.setEmulatedMedia",
                  {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
        self.start = len(browser.events)

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def open(self, url: str) -> None:
        self.start = len(self.browser.events)
        self.send("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired", self.session, self.start)
        self.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def _events(self, method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in self.browser.events[self.start:]
                if e["method"] == method and e.get("sessionId") == self.session]

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (failed loads, CSP) since `open`."""
        found = [" ".join(str(a.get("value", a.get("description", ""))) for a in e["args"])
                 for e in self._events("Runtime.consoleAPICalled") if e["type"] in ("error", "assert")]
        found += [e["exceptionDetails"].get("text", "") + " " + str(e["exceptionDetails"].get("exception", {}))
                  for e in self._events("Runtime.exceptionThrown")]
        found += [f"{e['entry']['source']}: {e['entry']['text']} {e['entry'].get('url', '')}"
                  for e in self._events("Log.entryAdded") if e["entry"]["level"] == "error"]
        return found

    def requests(self) -> list[str]:
        return [e["request"]["url"] for e in self._events("Network.requestWillBeSent")]

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", params)["data"]))
        return path

    def close(self) -> None:
        target = self.send("Target.getTargetInfo")["targetInfo"]["targetId"]
        self.browser.send("Target.closeTarget", {"targetId": target})


# --- fixtures ----------------------------------------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out


@pytest.fixture(scope="module")
def base_url(site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chromium")
    chromium = Chromium(CHROMIUM, folder / "profile", folder / "chromium.log")
    try:
        chromium.send("Browser.getVersion")
    except DevToolsError as exc:
        log = (folder / "chromium.log").read_text(errors="replace")[-2000:]
        chromium.close()
        pytest.fail(f"Chromium did not start: {exc}\n{log}")
    yield chromium
    chromium.close()


@pytest.fixture()
def tab(browser):
    opened = Tab(browser)
    yield opened
    opened.close()


def assert_clean(tab: Tab, allowed_prefix: str) -> None:
    assert tab.errors() == [], "the page logged errors"
    requests = tab.requests()
    assert requests, "no request was recorded: the checks would pass for nothing"
    leaving = [url for url in requests if not url.startswith(allowed_prefix) and not url.startswith("data:")]
    assert leaving == [], f"requests leaving {allowed_prefix}"


# --- links -----------------------------------------------------------------------------------------


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        for name, value in attributes:
            if name == "id" and value:
                self.ids.add(value)


def check_links(hrefs: list[str], base_url: str) -> int:
    """Fetch every same-site target once and find every fragment in it; return how many links were checked."""
    pages: dict[str, set[str]] = {}
    broken = []
    internal = [href for href in hrefs if href.startswith(base_url)]
    for href in internal:
        url, _, fragment = href.partition("#")
        if url not in pages:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    parser = Anchors()
                    parser.feed(response.read().decode("utf-8"))
                    pages[url] = parser.ids
            except OSError as exc:
                broken.append(f"{href}: {exc}")
                pages[url] = set()
                continue
        if fragment and urllib.parse.unquote(fragment) not in pages[url]:
            broken.append(f"{href}: no element with id {fragment!r}")
    assert broken == []
    return len(internal)


LINKS = "Array.from(document.querySelectorAll('a[href]'), a => a.href)"


# --- tests -------------------------------------------------------------------------------------------


def test_index_loads_offline_and_sorts_and_filters(tab, base_url):
    tab.open(base_url + "index.html")
    assert_clean(tab, base_url)
    countries = load("countries")
    assert tab.evaluate("document.querySelectorAll('#countries tbody tr').length") == len(countries)
    assert tab.evaluate("document.getElementById('filters').hidden") is False

    tab.evaluate("""(() => { const box = document.getElementById('filter-text');
        box.value = 'kyrgyz'; box.dispatchEvent(new Event('input')); })()""")
    shown = tab.evaluate("Array.from(document.querySelectorAll('#countries tbody tr:not([hidden]) th'), "
                         "th => th.textContent)")
    assert shown == ["Kyrgyzstan"]
    tab.evaluate("""(() => { const box = document.getElementById('filter-text');
        box.value = ''; box.dispatchEvent(new Event('input')); })()""")

    # Click "Population" twice: descending, so the most populous country comes first.
    tab.evaluate("""(() => { const button = Array.from(document.querySelectorAll('th button.sort'))
        .find(b => b.textContent === 'Population'); button.click(); button.click(); })()""")
    first = tab.evaluate("document.querySelector('#countries tbody tr th').textContent")
    population = load("demographics").xs("population", level="indicator").reset_index()
    latest = population.sort_values("year").groupby("country", observed=True).tail(1)
    biggest = str(latest.sort_values("value").iloc[-1]["country"])
    assert first == countries.loc[biggest, "name"]
    assert check_links(tab.evaluate(LINKS), base_url) >= len(countries)


@pytest.fixture()
def wide_tab(browser):
    opened = Tab(browser, width=1000, height=1150)  # the README's screenshot: header, figures, first charts
    yield opened
    opened.close()


def test_country_page_loads_offline_with_accessible_charts_and_working_links(wide_tab, base_url):
    tab = wide_tab
    tab.open(f"{base_url}countries/{COUNTRY}.html")
    assert_clean(tab, base_url)
    charts = tab.evaluate("""Array.from(document.querySelectorAll('svg.chart'), svg => ({
        role: svg.getAttribute('role'),
        name: svg.getAttribute('aria-labelledby').split(' ')
            .map(id => document.getElementById(id)?.textContent).join(' | '),
        width: svg.getBoundingClientRect().width }))""")
    assert len(charts) >= 3
    for chart in charts:
        assert chart["role"] == "img" and "undefined" not in chart["name"] and len(chart["name"]) > 20
        assert chart["width"] > 200
    stylesheet = tab.evaluate("getComputedStyle(document.querySelector('.card')).borderTopStyle")
    assert stylesheet == "solid", "style.css was not applied"
    assert check_links(tab.evaluate(LINKS), base_url) > 10

    shot = tab.screenshot(ARTIFACTS / f"{COUNTRY.lower()}-light.png")
    print(f"\nscreenshot: {shot}")
    if os.environ.get("COUNTRY_PROFILES_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, README_SCREENSHOT)
        print(f"updated {README_SCREENSHOT}")
    print(f"full page: {tab.screenshot(ARTIFACTS / f'{COUNTRY.lower()}-light-full.png', full_page=True)}")


@pytest.mark.parametrize("page", ["quality.html", "rules.html"])
def test_quality_and_rules_pages_load_offline_and_their_links_resolve(tab, base_url, page):
    tab.open(base_url + page)
    assert_clean(tab, base_url)
    assert check_links(tab.evaluate(LINKS), base_url) > 0


def test_country_page_in_dark_theme_on_a_phone(browser, base_url):
    phone = Tab(browser, width=390, height=844, mobile=True, dark=True)
    try:
        phone.open(f"{base_url}countries/{COUNTRY}.html")
        assert_clean(phone, base_url)
        background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(18, 21, 24)", "the dark theme is not applied"
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a phone screen"
        print(f"\nscreenshot: {phone.screenshot(ARTIFACTS / f'{COUNTRY.lower()}-dark-phone.png')}")
    finally:
        phone.close()


def test_site_works_opened_from_disk(tab, site):
    """Offline as files: file:// pages find their stylesheet and script, and fetch nothing else."""
    tab.open((site / "index.html").as_uri())
    assert_clean(tab, "file://")
    assert tab.evaluate("document.getElementById('filters').hidden") is False, "site.js did not run"
    tab.open((site / "countries" / f"{COUNTRY}.html").as_uri())
    assert_clean(tab, "file://")
    assert tab.evaluate("getComputedStyle(document.querySelector('.card')).borderTopStyle") == "solid"


def test_the_checks_see_console_errors_and_requests_leaving_the_site(tab, tmp_path):
    """The checks above can fail: a page that logs an error and asks another host is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><title>bad</title><script>console.error("boom")</script>'
                   '<img src="http://site.invalid/pixel.png" alt="">', encoding="utf-8")
    tab.open(bad.as_uri())
    assert any("boom" in error for error in tab.errors())
    assert "http://site.invalid/pixel.png" in tab.requests()
