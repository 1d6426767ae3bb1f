"""`resbot health` (the container HEALTHCHECK): 0 when the store answers, 1 when it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chroma_server import ChromaServer, free_port
from click.testing import CliRunner

from bot.commands.health import health
from bot.settings import Settings
from ingest.store import open_local_store


def _run(settings: Settings, *args: str) -> tuple[int, dict]:
    got = CliRunner().invoke(health, ["--json", *args], obj=settings)
    return got.exit_code, json.loads(got.stdout)


def _check(report: dict, name: str) -> dict:
    return next(c for c in report["checks"] if c["name"] == name)


def test_missing_local_store_is_unhealthy_and_not_created(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    code, report = _run(settings)
    assert code == 1 and report["ok"] is False
    assert "no local store" in _check(report, "store")["detail"]
    assert not settings.store_path.exists()


def test_existing_local_store_is_healthy(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    open_local_store(settings.store_path, settings.collection, settings.embedding_model)
    code, report = _run(settings)
    assert code == 0, report
    assert _check(report, "model")["ok"] is True
    assert "0 paragraphs" in _check(report, "store")["detail"]


def test_unreachable_chroma_server_is_unhealthy() -> None:
    code, report = _run(Settings(chroma_url=f"http://127.0.0.1:{free_port()}"))
    assert code == 1
    assert "cannot reach the Chroma server" in _check(report, "store")["detail"]


@pytest.mark.server
def test_reachable_chroma_server_is_healthy(chroma_server: ChromaServer) -> None:
    code, report = _run(Settings(chroma_url=chroma_server.url, collection="healthcheck"))
    assert code == 0, report
    assert _check(report, "store")["detail"].startswith(chroma_server.url)


def test_slack_check_needs_a_token_and_a_mode(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    open_local_store(settings.store_path, settings.collection, settings.embedding_model)
    code, report = _run(settings, "--slack")
    assert code == 1 and "SLACK_BOT_TOKEN" in _check(report, "slack")["detail"]
    with_token = settings.model_copy(update={"slack_bot_token": "xoxb-1"})
    code, report = _run(with_token, "--slack")
    assert code == 1 and "SLACK_SIGNING_SECRET" in _check(report, "slack")["detail"]
    http = with_token.model_copy(update={"slack_signing_secret": "s"})
    code, report = _run(http, "--slack")
    assert code == 0 and "http mode" in _check(report, "slack")["detail"]


def test_plain_output_names_the_failing_check(tmp_path: Path) -> None:
    got = CliRunner().invoke(health, [], obj=Settings(data_dir=tmp_path / "data"))
    assert got.exit_code == 1
    assert any(line.startswith("FAIL store:") for line in got.stdout.splitlines())


@pytest.mark.server
def test_url_check_needs_a_2xx_answer(chroma_server: ChromaServer) -> None:
    settings = Settings(chroma_url=chroma_server.url, collection="healthcheck")
    code, report = _run(settings, "--url", chroma_server.url + "/api/v2/heartbeat")
    assert code == 0 and _check(report, "http")["ok"] is True
    code, report = _run(settings, "--url", chroma_server.url + "/no-such-page")
    assert code == 1 and _check(report, "http")["ok"] is False
