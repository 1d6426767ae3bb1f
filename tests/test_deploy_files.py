"""docker/: the compose file validates, its variables are settings the code reads, the
Dockerfile builds from files that exist and ends as a non-root `resbot` image.

No Docker engine here: the compose file is checked with `docker compose config` (or the
standalone `docker-compose`) when a client is installed, else by parsing the YAML; the
Dockerfile by hadolint when installed, and by reading it.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices, SecretStr

from bot.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DOCKER = REPO / "docker"
COMPOSE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILE = DOCKER / "Dockerfile"
RESBOT_SERVICES = ("bot", "ingest")
OUR_PREFIXES = ("RESBOT_", "SLACK_")


# -- helpers -------------------------------------------------------------------
def compose_command() -> list[str] | None:
    """`docker compose` (CLI plugin) or the standalone `docker-compose`, whichever works."""
    docker = shutil.which("docker")
    if docker and _runs([docker, "compose", "version"]):
        return [docker, "compose"]
    for candidate in (
        Path(sys.executable).parent / "docker-compose",
        shutil.which("docker-compose"),
    ):
        if candidate and Path(candidate).exists() and _runs([str(candidate), "version"]):
            return [str(candidate)]
    return None


def _runs(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0
    except OSError:
        return False


@cache
def compose_model() -> dict[str, Any]:
    """The compose model with the `ingest` profile on: normalised by compose when we can."""
    cmd = compose_command()
    if cmd is None:
        data = yaml.safe_load(COMPOSE.read_text())  # PyYAML resolves the `<<` merge keys
        assert isinstance(data, dict)
        return data
    got = subprocess.run(
        [*cmd, "-f", str(COMPOSE), "--profile", "ingest", "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert got.returncode == 0, got.stderr
    data = json.loads(got.stdout)
    assert isinstance(data, dict)
    return data


def env_example() -> tuple[dict[str, str], set[str]]:
    """(active NAME=value lines, names only mentioned in commented-out `# NAME=` lines)."""
    active: dict[str, str] = {}
    commented: set[str] = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        m = re.match(r"^\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if not m:
            continue
        if m.group(1):
            commented.add(m.group(2))
        else:
            active[m.group(2)] = m.group(3)
    return active, commented


def settings_env_names() -> dict[str, str]:
    """Environment variable (upper case) -> Settings field, as pydantic-settings reads them."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names: dict[str, str] = {}
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            choices = [c for c in alias.choices if isinstance(c, str)]
        elif isinstance(alias, str):
            choices = [alias]
        else:
            choices = [prefix + field_name]
        for choice in choices:
            names[choice.upper()] = field_name
    return names


def service_environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the short `- NAME=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def interpolated_names(text: str) -> set[str]:
    return set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


# -- compose -------------------------------------------------------------------
def test_compose_config_validates_with_the_compose_client(tmp_path: Path) -> None:
    cmd = compose_command()
    if cmd is None:
        pytest.skip("no docker compose client installed (the YAML checks below still run)")
    for extra in ([], ["--env-file", str(ENV_EXAMPLE)]):
        got = subprocess.run(
            [*cmd, *extra, "-f", str(COMPOSE), "--profile", "ingest", "config", "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert got.returncode == 0, got.stderr
    # A broken file must fail, or the check above proves nothing.
    bad = tmp_path / "compose.yaml"
    bad.write_text(COMPOSE.read_text().replace("condition: service_healthy", "condition: healthy"))
    got = subprocess.run([*cmd, "-f", str(bad), "config", "--quiet"], capture_output=True)
    assert got.returncode != 0


def test_compose_services_are_wired_as_documented() -> None:
    services = compose_model()["services"]
    assert {"chroma", "bot", "ingest"} <= set(services)

    chroma = services["chroma"]
    image, _, tag = chroma["image"].partition(":")
    assert image == "chromadb/chroma"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), f"pin the Chroma server image, not {tag!r}"
    import chromadb

    assert tag.split(".")[0] == chromadb.__version__.split(".")[0], "server and client majors"
    volumes = chroma["volumes"]
    assert any(
        (v.get("target") if isinstance(v, dict) else v.split(":")[1]) == "/data" for v in volumes
    )
    assert "chroma-data" in compose_model()["volumes"]
    assert "/api/v2/heartbeat" in " ".join(chroma["healthcheck"]["test"])

    for name in RESBOT_SERVICES:
        svc = services[name]
        assert service_environment(svc)["RESBOT_CHROMA_URL"] == "http://chroma:8000"
        assert svc["depends_on"]["chroma"]["condition"] == "service_healthy"
        assert svc["build"]["dockerfile"] == "docker/Dockerfile"

    assert services["ingest"]["profiles"] == ["ingest"]
    mount = services["ingest"]["volumes"][0]
    if isinstance(mount, dict):
        assert mount["target"] == "/resolutions" and mount["read_only"] is True
    else:
        assert mount.endswith(":/resolutions:ro")
    assert services["ingest"]["command"] == ["ingest", "/resolutions"]
    # Several bot replicas must be possible: no fixed container name, no host port on the bot.
    assert "container_name" not in services["bot"]
    assert not services["bot"].get("ports")


@pytest.mark.server
def test_chroma_healthcheck_probe_works_against_a_real_server(chroma_server: Any) -> None:
    """Run the compose health check (bash over /dev/tcp) against the loopback server."""
    test = yaml.safe_load(COMPOSE.read_text())["services"]["chroma"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "bash", "-c"]
    script = test[3].replace("$$", "$").replace("127.0.0.1/8000", f"127.0.0.1/{chroma_server.port}")
    assert subprocess.run(["bash", "-c", script], timeout=10).returncode == 0
    broken = script.replace("/api/v2/heartbeat", "/api/v2/no-such-endpoint")
    assert subprocess.run(["bash", "-c", broken], timeout=10).returncode != 0


def test_every_resbot_and_slack_variable_is_a_setting_the_code_reads() -> None:
    known = settings_env_names()
    active, commented = env_example()
    services = compose_model()["services"]
    used: dict[str, str] = {}
    for name in RESBOT_SERVICES:
        for var in service_environment(services[name]):
            used[var] = f"compose.yaml services.{name}.environment"
    for var in (*active, *commented):
        used.setdefault(var, ".env.example")
    ours = {v: where for v, where in used.items() if v.startswith(OUR_PREFIXES)}
    unknown = {v: where for v, where in ours.items() if v.upper() not in known}
    assert not unknown, f"not read by bot.settings.Settings: {unknown}"
    assert "SLACK_BOT_TOKEN" in ours and "RESBOT_CHROMA_URL" in ours  # the check saw something


def test_the_settings_a_team_deployment_needs_are_provided() -> None:
    active, commented = env_example()
    # HTTP mode (the `bot` command in compose) needs the bot token and the signing secret.
    command = compose_model()["services"]["bot"]["command"]
    assert "--http" in command
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        assert var in active, f"{var} must be an active line in .env.example"
    # Every secret the Settings can take is at least documented there.
    names = settings_env_names()
    for field_name, info in Settings.model_fields.items():
        if info.annotation in (SecretStr, SecretStr | None):
            env_names = {n for n, f in names.items() if f == field_name}
            assert env_names & (set(active) | commented), f"document {sorted(env_names)}"
    # Compose-level variables (image tag, ports, folders) are documented, and never use our
    # prefixes unless resbot reads them.
    for var in interpolated_names(COMPOSE.read_text()):
        assert var in active or var in commented, f"document ${{{var}}} in .env.example"
        assert not var.startswith(OUR_PREFIXES) or var in names


def test_compose_commands_are_real_cli_commands() -> None:
    """The commands compose runs exist with the options compose passes."""
    import click

    from bot.cli import cli

    services = compose_model()["services"]
    runs = [services["bot"]["command"], services["ingest"]["command"]]
    runs.append(services["bot"]["healthcheck"]["test"][2:])  # CMD resbot health ...
    assert services["bot"]["healthcheck"]["test"][:2] == ["CMD", "resbot"]
    ctx = click.Context(cli)
    for argv in runs:
        command = cli.get_command(ctx, argv[0])
        assert command is not None, f"no `resbot {argv[0]}` command"
        options = {opt for p in command.params for opt in getattr(p, "opts", [])}
        for arg in argv[1:]:
            if arg.startswith("--"):
                assert arg in options, f"`resbot {argv[0]}` has no {arg} option"


def test_env_file_is_optional_and_ignored_by_git() -> None:
    data = yaml.safe_load(COMPOSE.read_text())
    for name in RESBOT_SERVICES:
        env_files = data["services"][name]["env_file"]
        assert env_files == [{"path": ".env", "required": False}]
    got = subprocess.run(
        ["git", "check-ignore", "-q", "docker/.env"], cwd=REPO, capture_output=True
    )
    if got.returncode == 128:
        pytest.skip("not a git checkout")
    assert got.returncode == 0, "docker/.env must be ignored by git"


# -- Dockerfile ----------------------------------------------------------------
def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    out: list[tuple[str, str]] = []
    buf = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        op, _, args = buf.partition(" ")
        out.append((op.upper(), args.strip()))
        buf = ""
    return out


def _pattern_matches(path: str, pattern: str) -> bool:
    if pattern.startswith("**/"):
        parts = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[i:]), pattern[3:]) for i in range(len(parts)))
    return fnmatch.fnmatchcase(path, pattern)


def dockerignored(rel: str) -> bool:
    """Docker's rule: the last .dockerignore pattern that matches the path or one of its
    parent folders wins; a `!` pattern re-includes."""
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [p.strip() for p in lines if p.strip() and not p.strip().startswith("#")]
    parts = rel.strip("/").split("/")
    paths = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw.lstrip("!").strip("/")
        if any(_pattern_matches(p, pattern) for p in paths):
            ignored = not negate
    return ignored


def test_dockerfile_copies_only_files_that_exist_and_are_in_the_build_context() -> None:
    stages = {
        args.split()[-1]
        for op, args in dockerfile_instructions()
        if op == "FROM" and " AS " in args.upper()
    }
    copies = 0
    for op, args in dockerfile_instructions():
        if op not in ("COPY", "ADD"):
            continue
        words = shlex.split(args)
        flags = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        sources = paths[:-1]
        source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        if source_stage is not None:
            assert source_stage in stages, f"COPY --from={source_stage}: no such stage"
            continue
        for src in sources:
            copies += 1
            assert (REPO / src).exists(), f"COPY {src}: not in the repository"
            assert not dockerignored(src), f"COPY {src}: excluded by .dockerignore"
    assert copies >= 3
    # The build context keeps out what must never reach an image.
    for secret_or_bulk in (".venv", ".git", "docker/.env", "tests/conftest.py", ".resbot"):
        assert dockerignored(secret_or_bulk), secret_or_bulk
    readme = tomllib.loads((REPO / "pyproject.toml").read_text())["project"].get("readme")
    if readme:  # `pip install .` in the image needs it
        assert (REPO / readme).exists() and not dockerignored(readme)


def test_dockerfile_is_multi_stage_non_root_with_entrypoint_and_healthcheck() -> None:
    ins = dockerfile_instructions()
    froms = [args for op, args in ins if op == "FROM"]
    assert len(froms) >= 2
    final = ins[max(i for i, (op, _) in enumerate(ins) if op == "FROM") :]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert ("ENTRYPOINT", '["resbot"]') in final
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert "resbot" in scripts
    health = [args for op, args in final if op == "HEALTHCHECK"]
    assert health and 'CMD ["resbot", "health"]' in health[0]
    envs = " ".join(args for op, args in final if op == "ENV")
    assert "HF_HUB_OFFLINE=1" in envs
    # CPU torch, the same pin as the Makefile's.
    text = DOCKERFILE.read_text()
    assert "download.pytorch.org/whl/cpu" in text
    pin = re.search(r"TORCH_VERSION=([\d.]+)", text)
    make_pin = re.search(r"TORCH\s*\?=\s*torch==([\d.]+)", (REPO / "Makefile").read_text())
    assert pin and make_pin and pin.group(1) == make_pin.group(1)


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    exe = str(hadolint) if hadolint.exists() else shutil.which("hadolint")
    if exe is None:
        pytest.skip("hadolint is not installed")
    got = subprocess.run([exe, "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert got.returncode == 0, got.stdout + got.stderr
