"""What a benchmark ran on: netgraph's version and git state, library versions, Python, CPUs."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path


def describe_run(*libraries: str) -> str:
    """One line naming the code measured (with uncommitted changes, if any) and ``libraries``' versions."""
    import netgraph
    package = Path(netgraph.__file__).resolve().parent
    git = ["git", "-C", str(package)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no", "."], capture_output=True,
                           text=True).stdout.strip()
    tree = f"git {commit}" + (", with uncommitted changes" if dirty else "") if commit else "not a git checkout"
    versions = "".join(f", {name} {import_module(name).__version__}" for name in libraries)
    return (f"netgraph {netgraph.__version__} from {package} ({tree}){versions}, Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs")
