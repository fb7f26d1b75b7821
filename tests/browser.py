"""Headless Chromium with the network off, for tests of the HTML graphs."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-quic",
           "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return found


def run(page: Path, *extra: str, size: tuple[int, int] = (1280, 1000)) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([chromium(), *OFFLINE, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                               "--virtual-time-budget=20000", *extra, page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=180)
    return done.stdout


def dump_dom(page: Path, size: tuple[int, int] = (1280, 1000)) -> str:
    return run(page, "--dump-dom", size=size)


def screenshot(page: Path, png: Path, size: tuple[int, int] = (1280, 1000)) -> Path:
    run(page, f"--screenshot={png}", size=size)
    return png
