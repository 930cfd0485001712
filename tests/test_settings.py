"""Options, their ini twins and the environment: what each selects, and a
usage error for each value that cannot work."""

from __future__ import annotations

import json
import uuid

import pytest

from .conftest import PROJECT_INI, REQUIREMENTS_SCHEMA, Project
from .plugin_cases import GOOD


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--contracts-db", "registry.db"], "", "has no scheme"),
        (["--contracts-db", "mysql://u@h/db"], "", "supported are SQLite"),
        ([], "contracts_db = postgresql+psycopg2://h/db", "needs an async driver"),
        (["--contracts-team", " "], "", "must be 1 to 200 characters"),
        (["--contracts-dir", "nowhere"], "", "nowhere is not a directory"),
        ([], "contracts_dir = nowhere", "nowhere is not a directory"),
        ([], "contracts_gate = maybe", "contracts_gate"),
        ([], "contracts_redis = perhaps", "contracts_redis"),
        (["--contracts-report", "."], "", "is a directory"),
        (["--contracts-redis-url", "http://x"], "", "must start with redis://"),
    ],
)
def test_bad_option_values_are_usage_errors(
    project: Project, args: list[str], ini: str, message: str
) -> None:
    project.pytester.makeini(PROJECT_INI + ini + "\n")
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_an_empty_team_is_a_usage_error(project: Project) -> None:
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-team=")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "must be 1 to 200 characters" in result.stderr.str()


def test_too_few_phases_is_a_usage_error(project: Project) -> None:
    project.pytester.makeini(PROJECT_INI + "contracts_phases = only\n")
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*contracts_phases needs at least two phases*"])


def test_database_option_its_ini_twin_and_the_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.pytester.makepyfile(
        """
        def test_where(state_manager):
            print("\\nDB", state_manager.database_url)
        """
    )
    cli = project.run("-s", "--contracts-db", "sqlite:///cli.db")
    cli.stdout.fnmatch_lines(["DB sqlite+aiosqlite:///cli.db"])
    assert (project.path / "cli.db").is_file()
    project.pytester.makeini(PROJECT_INI + "contracts_db = sqlite:///ini.db\n")
    # A relative SQLite file in the ini file lives beside the ini file.
    project.run("-s").stdout.fnmatch_lines([f"DB sqlite+aiosqlite:///{project.path}/ini.db"])
    project.pytester.makeini(PROJECT_INI)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///env.db")
    project.run("-s").stdout.fnmatch_lines(["DB sqlite+aiosqlite:///env.db"])
    monkeypatch.delenv("DATABASE_URL")
    project.run("-s").stdout.fnmatch_lines(
        [f"DB sqlite+aiosqlite:///{project.path}/.pytest_contracts/registry.db"]
    )


def test_an_unusable_database_url_of_the_application_stops_only_contract_use(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.pytester.makepyfile(
        test_plain="def test_plain():\n    assert True\n",
        test_registry="def test_registry(contract_manager):\n    pass\n",
    )
    monkeypatch.setenv("DATABASE_URL", "mysql://app@db/app")
    monkeypatch.setenv("REDIS_PORT", "not-a-port")
    plain = project.run("test_plain.py")
    plain.assert_outcomes(passed=1)
    used = project.run("test_registry.py")
    used.assert_outcomes(errors=1)
    used.stdout.fnmatch_lines(
        [
            "*pytest-contracts: the registry cannot be used: database URL 'mysql://app@db/app'"
            "*from the DATABASE_URL environment variable; give the registry its own with "
            "--contracts-db*"
        ]
    )
    assert "Traceback" not in used.stdout.str()


def test_real_redis_flag_uses_the_real_redis(project: Project, redis_url: str) -> None:
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_req(phase_output, state_manager):
            assert state_manager.cache_backend == "redis"
            phase_output.record({GOOD!r})
        """
    )
    result = project.run(
        "--contracts-redis", "--contracts-redis-url", redis_url, "--contracts-report", "r.json"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["contracts: registry sqlite * + redis, team 'default', gate off"])
    assert json.loads((project.path / "r.json").read_text())["registry"]["cache"] == "redis"


def test_real_redis_ini_twins_and_environment(
    project: Project, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.pytester.makeini(
        PROJECT_INI + f"contracts_redis = true\ncontracts_redis_url = {redis_url}\n"
    )
    project.pytester.makepyfile(
        """
        def test_cache(state_manager):
            assert state_manager.cache_backend == "redis"
        """
    )
    project.run().assert_outcomes(passed=1)
    project.pytester.makeini(PROJECT_INI + "contracts_redis = true\n")
    monkeypatch.setenv("REDIS_URL", redis_url)
    project.run().assert_outcomes(passed=1)


def test_postgresql_registry(project: Project, pg_url: str) -> None:
    team = f"pg-{uuid.uuid4().hex[:8]}"
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.phase_boundary("requirements", "design")
        def test_req(phase_output, state_manager):
            assert state_manager.backend == "postgresql"
            phase_output.record({GOOD!r})
        """
    )
    result = project.run("--contracts-db", pg_url, "--contracts-team", team)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 check against 1 contract: 1 passed"])


@pytest.mark.parametrize(
    ("args", "ini", "environ", "real", "url"),
    [
        ([], "", {}, False, None),
        # The environment gives the URL, never the decision.
        ([], "", {"REDIS_URL": "redis://env:6379/1"}, False, None),
        (
            ["--contracts-redis"],
            "",
            {"REDIS_URL": "redis://env:6379/1"},
            True,
            "redis://env:6379/1",
        ),
        # A URL given to the plugin asks for a real Redis, on the command line or in the ini.
        (["--contracts-redis-url", "redis://cli:6379/2"], "", {}, True, "redis://cli:6379/2"),
        ([], "contracts_redis_url = redis://ini:6379/3", {}, True, "redis://ini:6379/3"),
        (
            ["--contracts-redis-url", "redis://cli:6379/2"],
            "contracts_redis_url = redis://ini:6379/3",
            {"REDIS_URL": "redis://env:6379/1"},
            True,
            "redis://cli:6379/2",
        ),
    ],
)
def test_a_redis_url_option_asks_for_a_real_redis(
    pytester: pytest.Pytester,
    clean_env: pytest.MonkeyPatch,
    args: list[str],
    ini: str,
    environ: dict[str, str],
    real: bool,
    url: str | None,
) -> None:
    from pytest_contracts.settings import read_settings

    for name, value in environ.items():
        clean_env.setenv(name, value)
    pytester.makeini(PROJECT_INI + ini + "\n")
    settings = read_settings(pytester.parseconfig(*args))
    assert (settings.use_real_redis, settings.redis_url) == (real, url)
    assert settings.describe_registry()["cache"] == ("redis" if real else "fakeredis")


def test_a_redis_url_alone_puts_the_real_redis_in_the_header(
    project: Project, redis_url: str
) -> None:
    project.pytester.makepyfile(
        """
        def test_cache(state_manager):
            assert state_manager.cache_backend == "redis"
        """
    )
    result = project.run("--contracts-redis-url", redis_url)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["contracts: registry sqlite * + redis, team 'default', gate off"])


def test_an_unreachable_redis_url_alone_stops_the_session(project: Project) -> None:
    # Without --contracts-redis the URL used to be ignored for the fake cache.
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-redis-url", "redis://127.0.0.1:1/0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "redis://127.0.0.1:1/0" in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
