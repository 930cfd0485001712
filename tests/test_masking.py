"""Credentials in database and Redis URLs never appear in the terminal, the report,
the logs or the command's output."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from .conftest import Project, run_command

SECRET = "s3cret"

CREDENTIAL_TESTS = """
import logging

import pytest


@pytest.mark.phase_boundary("requirements", "design")
def test_output(phase_output):
    logging.getLogger("user").debug("recording")
    phase_output.record({"project": "x"})


def test_registry(contract_manager):
    contract_manager.list_contracts("t").result()
"""


def _credential_run(project: Project, *args: str, process: bool) -> list[tuple[str, str]]:
    project.pytester.makepyfile(CREDENTIAL_TESTS)
    project.boundary("requirements", "design", {"type": "object"})
    run = project.subprocess if process else project.run
    result = run(
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--log-level=DEBUG",
        "--log-file=run.log",
        "--log-file-level=DEBUG",
        "-rA",
        "-W",
        "always",
        "--contracts-report",
        "report.json",
        *args,
    )
    places = [("stdout", result.stdout.str()), ("stderr", result.stderr.str())]
    for name in ("report.json", "run.log"):
        path = project.path / name
        places.append((name, path.read_text(encoding="utf-8") if path.exists() else ""))
    # The run did reach the registry code: it reports where the registry is.
    assert "127.0.0.1" in "".join(text for _, text in places) or "sqlite" in places[0][1]
    return places


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--contracts-db", f"postgresql://user:{SECRET}@127.0.0.1:1/db"], id="pg"),
        pytest.param(
            ["--contracts-redis", "--contracts-redis-url", f"redis://:{SECRET}@127.0.0.1:1/0"],
            id="redis",
        ),
        pytest.param(
            ["--contracts-db", f"postgresql://user:{SECRET}@127.0.0.1:1/db", "--contracts-gate"],
            id="pg-gate",
        ),
        pytest.param(
            ["--contracts-db", f"postgresql://user@127.0.0.1:1/db?password={SECRET}"],
            id="pg-password-in-query",
        ),
        pytest.param(
            ["--contracts-db", f"sqlite:///registry.db?password={SECRET}"],
            id="sqlite-password-in-query",
        ),
    ],
)
def test_credentials_in_urls_never_appear_in_output_report_or_logs(
    project: Project, args: list[str], request: pytest.FixtureRequest
) -> None:
    # Two cases run in a process of their own (what it prints at exit counts
    # too; SQLite's warning about the query string goes to that process's
    # warnings), the others in this one.
    process = request.node.callspec.id in ("pg", "sqlite-password-in-query")
    for place, text in _credential_run(project, *args, process=process):
        assert SECRET not in text, f"the password appears in {place}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["list", "--db", f"postgresql://user:{SECRET}@127.0.0.1:1/db"],
        ["list", "--db", f"postgresql://user:{SECRET}@127.0.0.1:1/db", "--json"],
        ["--redis", "--redis-url", f"redis://:{SECRET}@127.0.0.1:1/0", "list"],
    ],
)
def test_credentials_in_urls_never_appear_in_the_command_output(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    clean_env.chdir(tmp_path)
    done = run_command(capsys, *args)
    assert done.returncode != 0
    assert "127.0.0.1" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stdout
    assert SECRET not in done.stderr


# -- passwords with the characters that end a URL's parts ------------------------
# Each password has a distinctive tail after the character: a parser that ends
# the password at that character would show the tail as a host or a fragment.
SPECIAL = ["#", "/", "@", ":", "%", "?", "&", " "]
TAIL = "Wv4kTail"


def special_password(character: str) -> str:
    return f"Qz7{character}{TAIL}"


def _leaks(text: str, password: str) -> list[str]:
    """The forms of ``password`` found in ``text``."""
    from urllib.parse import quote

    forms = {password, quote(password, safe=""), TAIL}
    return sorted(form for form in forms if form in text)


CHANNEL_TESTS = """
import logging
import warnings

import pytest


@pytest.mark.phase_boundary("requirements", "design")
def test_output(phase_output):
    logging.getLogger("user").debug("recording")
    phase_output.record({"project": "x"})


def test_registry(state_manager, contract_manager):
    logging.getLogger("user").debug("managers %r %r", state_manager, contract_manager)
    print("managers", repr(state_manager), repr(contract_manager))
    warnings.warn(f"managers {state_manager!r}")
    contract_manager.list_contracts("t").result()
"""


def _every_channel(project: Project, *args: str) -> list[tuple[str, str]]:
    project.pytester.makepyfile(CHANNEL_TESTS)
    project.boundary("requirements", "design", {"type": "object"})
    # In this process: each character's run is a whole session (terminal,
    # warnings, logs, JUnit, report); the runs in a process of their own, with
    # what it prints when it exits, are _credential_run's.
    result = project.run(
        "-p",
        "no:cacheprovider",
        "-v",
        "--tb=long",
        "-rA",
        "--log-level=DEBUG",
        "--log-file=run.log",
        "--log-file-level=DEBUG",
        "-W",
        "always",
        "--junitxml=junit.xml",
        "--contracts-report",
        "report.json",
        *args,
    )
    places = [("terminal", result.stdout.str()), ("stderr", result.stderr.str())]
    for name in ("report.json", "run.log", "junit.xml"):
        path = project.path / name
        places.append((name, path.read_text(encoding="utf-8") if path.exists() else ""))
    assert "127.0.0.1" in places[0][1] + places[1][1], places[0][1]
    return places


@pytest.mark.slow
@pytest.mark.parametrize("character", SPECIAL)
@pytest.mark.parametrize("where", ["database", "redis"])
def test_no_channel_shows_a_password_of_an_unreachable_registry(
    project: Project, where: str, character: str
) -> None:
    password = special_password(character)
    if where == "database":
        args = ["--contracts-db", f"postgresql://adv:{password}@127.0.0.1:1/db"]
    else:
        args = [
            "--contracts-redis",
            "--contracts-redis-url",
            f"redis://adv:{password}@127.0.0.1:1/0",
        ]
    for place, text in _every_channel(project, *args):
        assert _leaks(text, password) == [], f"the password appears in {place}"


@pytest.mark.slow
@pytest.mark.parametrize("character", SPECIAL)
def test_no_channel_shows_a_password_of_a_reachable_registry(
    project: Project, character: str
) -> None:
    from .conftest import postgres_url

    url = postgres_url()
    if url is None:
        pytest.skip(
            "PostgreSQL not configured: set DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test"
        )
    from sqlalchemy.engine import make_url

    base = make_url(url)  # the server trusts the user: any password connects
    password = special_password(character)
    # A raw "@" would end the user part for SQLAlchemy (and the host would be
    # wrong): a user who wants to connect encodes it.
    written = quote(password, safe="") if character == "@" else password
    target = (
        f"postgresql://{base.username}:{written}@{base.host}:{base.port or 5432}/{base.database}"
    )
    places = _every_channel(project, "--contracts-db", target)
    assert "2 passed" in places[0][1], places[0][1]
    for place, text in places:
        assert _leaks(text, password) == [], f"the password appears in {place}"


@pytest.mark.parametrize("character", SPECIAL)
@pytest.mark.parametrize("where", ["database", "redis"])
def test_the_command_never_shows_a_password(
    tmp_path: Path,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
    character: str,
) -> None:
    clean_env.chdir(tmp_path)
    password = special_password(character)
    if where == "database":
        base = ["--db", f"postgresql://adv:{password}@127.0.0.1:1/db"]
    else:
        base = ["--redis-url", f"redis://adv:{password}@127.0.0.1:1/0"]
    for extra in (["list"], ["--json", "list"], ["show", "X"]):
        done = run_command(capsys, *base, *extra)
        # redis-py reads the port from after the first ":" when "#", "/" or "?"
        # cut the user part short: a configuration error, before any connection.
        refused = where == "redis" and character in "#/?"
        assert done.returncode == (2 if refused else 3), done.stderr
        assert "127.0.0.1" in done.stderr
        assert "Traceback" not in done.stderr
        assert _leaks(done.stdout + done.stderr, password) == []
        if "--json" in extra:
            assert _leaks(done.stdout, password) == []
            assert "127.0.0.1" in done.stdout  # the document names the registry too
