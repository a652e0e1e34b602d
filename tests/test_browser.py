"""The widgets notebook in a real browser: JupyterLab + headless Chromium (Debian) via Selenium.

Starts JupyterLab on 127.0.0.1 (free port, token, isolated config/data/settings dirs, a temporary
root holding a copy of notebooks/07_widgets.ipynb), runs all cells, moves the ε slider of the
``explore`` widget with the keyboard, clicks Run and checks that the plot changed. Screenshots go
to the test's ``tmp_path``. Skipped only when chromium, chromedriver or selenium are missing
(``.ci/run`` installs the Debian packages).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_widgets.ipynb"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-unsafe-swiftshader", "--window-size=1400,1100", "--hide-scrollbars"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
           "chromium-driver); .ci/run installs them")

# JupyterLab settings: no news or update checks, and every cell rendered (no windowing)
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

JS_STATE = """
const app = window.jupyterapp;
if (!app || !app.shell.currentWidget) return null;
const panel = app.shell.currentWidget;
if (!panel.content || !panel.sessionContext || !panel.sessionContext.session) return null;
const kernel = panel.sessionContext.session.kernel;
const cells = panel.content.widgets.filter(c => c.model.type === 'code');
return {status: kernel ? kernel.status : null,
        done: cells.filter(c => c.model.executionCount !== null).length,
        cells: cells.length};
"""

JS_PLOT = """
const slider = arguments[0];
let node = slider;
while (node && !node.querySelector('.js-plotly-plot')) node = node.parentElement;
const plot = node.querySelector('.js-plotly-plot');
const paths = [...plot.querySelectorAll('.scatterlayer path')].map(p => p.getAttribute('d'));
return {paths: paths, title: (plot.querySelector('.gtitle') || {}).textContent || '',
        numbers: node.querySelector('table') ? node.querySelector('table').textContent : ''};
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str, interval: float = 0.5):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = predicate()
        except RuntimeError:
            raise
        except Exception as err:  # the page may be mid-reload
            last = err
        if last and not isinstance(last, Exception):
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


@pytest.fixture()
def lab(tmp_path):
    """A JupyterLab server on a free port; yields (url, token)."""
    root, env_dir = tmp_path / "root", tmp_path / "jupyter"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        env[name] = str(env_dir / name.lower())
    for rel, value in SETTINGS.items():
        path = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env.pop("PLOTLY_RENDERER", None)  # the notebook shows figures as in a normal session
    port, token = _free_port(), "socialkit-browser-test"
    log = open(tmp_path / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None", "--allow-root"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up():
        if proc.poll() is not None:
            tail = (tmp_path / "jupyterlab.log").read_text()[-2000:]
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{tail}")
        return urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).status == 200

    try:
        _wait(up, 60, "JupyterLab to start")
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture()
def browser(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium (dev)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver, element, path: Path) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", element)
    time.sleep(0.5)
    element.screenshot(str(path))


def test_widgets_notebook_slider_and_run_change_the_plot(lab, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, token = lab
    browser.get(f"{url}/lab/tree/{NOTEBOOK.name}?reset&token={token}")
    _wait(lambda: (browser.execute_script(JS_STATE) or {}).get("status") == "idle", 90,
          "the notebook's kernel to be idle")
    browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")
    state = _wait(lambda: (s := browser.execute_script(JS_STATE)) and s["done"] == s["cells"]
                  and s["status"] == "idle" and s, 120, "all cells to run")
    assert state["cells"] >= 7
    errors = browser.find_elements(By.CSS_SELECTOR, ".jp-RenderedText[data-mime-type="
                                                    "'application/vnd.jupyter.stderr']")
    tracebacks = [e.text for e in errors if "Error" in e.text and "Traceback" in e.text]
    assert not tracebacks, tracebacks[0]

    slider = _wait(lambda: [s for s in browser.find_elements(By.CSS_SELECTOR, ".widget-slider")
                            if s.find_elements(By.XPATH, ".//label[normalize-space()='epsilon']")]
                   [0], 60, "the epsilon slider")
    before = _wait(lambda: (p := browser.execute_script(JS_PLOT, slider))["paths"] and p, 60,
                   "the explore plot to render")
    assert "deffuant" in before["title"] and "clusters" in before["numbers"]
    explore = slider.find_element(By.XPATH, "./ancestor::div[contains(@class, "
                                            "'jp-OutputArea-output')][1]")
    _shot(browser, explore, tmp_path / "1_explore_before.png")
    readout = slider.find_element(By.CSS_SELECTOR, ".widget-readout")
    start = float(readout.text)
    handle = slider.find_element(By.CSS_SELECTOR, ".noUi-handle")
    handle.click()
    for _ in range(12):
        handle.send_keys(Keys.ARROW_LEFT)
    _wait(lambda: float(readout.text) < start - 0.05, 10, "the slider to move")
    explore.find_element(By.XPATH, ".//button[normalize-space()='Run']").click()
    after = _wait(lambda: (p := browser.execute_script(JS_PLOT, slider))["paths"] != before[
        "paths"] and p["numbers"] != before["numbers"] and p, 60, "the plot to change")
    assert after["paths"] and after["numbers"] != before["numbers"]
    assert not explore.find_elements(By.XPATH, ".//*[contains(text(), 'Traceback')]")
    _shot(browser, explore, tmp_path / "2_explore_after.png")
    outputs = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
    plots = [o for o in outputs if o.find_elements(
        By.XPATH, "descendant-or-self::*[contains(@class, 'js-plotly-plot')]")]
    for i, out in enumerate(plots[1:], start=3):
        _shot(browser, out, tmp_path / f"{i}_output.png")
    # explore, run panel, population builder, network view, the paper figure
    assert len(plots) == 5, f"{len(plots)} plotly outputs"
    browser.save_screenshot(str(tmp_path / "9_page.png"))
