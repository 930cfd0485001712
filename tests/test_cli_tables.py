"""Tables (``list``, ``teams``, ``consumers``, ``validations``): every cell
whole when standard output is not a terminal; on a terminal, as wide as it
is (``COLUMNS``, else the terminal's own width)."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from pytest_contracts.cli import main
from pytest_contracts.cli.output import fitted_table

from .conftest import run_command

LONG = "phase_boundary_design_to_implementation_with_a_name_longer_than_a_line"
SCRIPT = Path(sys.executable).with_name("pytest-contracts")


@pytest.fixture
def project(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    clean_env.chdir(tmp_path)
    clean_env.delenv("COLUMNS", raising=False)
    (tmp_path / "contracts").mkdir()
    for name in (LONG, "Orders"):
        document = {"name": name, "version": "v1.0", "type": "EVENT", "schema": {}}
        (tmp_path / "contracts" / f"{name}.json").write_text(json.dumps(document))
    assert run_command(capsys, "load", "contracts").returncode == 0
    return tmp_path


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def on_a_terminal(monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(list(args)) == 0
    return terminal.getvalue()


def test_piped_output_keeps_every_name_whole(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # a terminal's width; nothing here is one
    lines = run_command(capsys, "list").stdout.splitlines()
    assert lines[2].split() == [LONG, "v1.0", "active", "EVENT"]
    assert len(lines[2]) > 80


def test_a_wide_terminal_shows_whole_names(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    lines = on_a_terminal(monkeypatch, "list").splitlines()
    assert lines[2].split() == [LONG, "v1.0", "active", "EVENT"]


def test_a_narrow_terminal_cuts_the_name_column_first(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    lines = on_a_terminal(monkeypatch, "list").splitlines()
    assert all(len(line) <= 60 for line in lines), lines
    name, *rest = lines[2].split()
    assert name.endswith("...")
    assert LONG.startswith(name[:-3])
    assert rest == ["v1.0", "active", "EVENT"]
    assert lines[1].split() == ["Orders", "v1.0", "active", "EVENT"]


def test_the_real_terminal_width_is_read_without_columns(project: Path) -> None:
    """A real terminal (a pseudo-terminal 100 columns wide), no COLUMNS."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    try:
        done = subprocess.run(
            [str(SCRIPT), "list"], stdout=follower, env=env, timeout=60, check=False
        )
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed: everything is read
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    lines = output.decode().replace("\r\n", "\n").splitlines()
    assert lines[2].split()[0] == LONG  # 71 characters + 23 of the rest fit in 100
    assert max(len(line) for line in lines) <= 100


def test_fitted_table_sizes_columns_to_their_cells() -> None:
    rows = [("A", "B"), ("x" * 30, "yy")]
    assert fitted_table(rows, None) == ["A                               B", "x" * 30 + "  yy"]
    assert fitted_table(rows, 20) == ["A".ljust(16) + "  B", "x" * 13 + "...  yy"]
    # A cut column keeps 12 characters (or its heading's); then lines are cut.
    assert fitted_table(rows, 10) == ["A      ...", "x" * 7 + "..."]
