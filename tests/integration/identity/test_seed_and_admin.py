"""`vaxflow seed` and the admin command, against the real database."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from vaxflow_identity import admin
from vaxflow_identity.settings import IdentitySettings

from tests.integration.identity.conftest import running, settings_for
from vaxflow.seed import DEMO_SITE, SeedContext, run_steps
from vaxflow.stack.config import StackSettings
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.testing import unique_name

SITE_B = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02"

pytestmark = pytest.mark.stack


@pytest_asyncio.fixture
async def seed_context(
    tmp_path: Path, mongo_client: AsyncMongoClient[Document]
) -> AsyncIterator[SeedContext]:
    context = SeedContext(StackSettings(state_dir=tmp_path), identity_database=unique_name("test"))
    yield context
    await mongo_client.drop_database(context.identity_database)


def credentials(context: SeedContext) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = json.loads(context.credentials_path.read_text())
    return entries


async def test_the_seed_writes_one_login_per_role_site_staff_first(
    seed_context: SeedContext, tmp_path: Path
) -> None:
    await run_steps(seed_context)

    entries = credentials(seed_context)
    assert {e["role"] for e in entries} == {
        "vaccinator",
        "site_manager",
        "district_admin",
        "mcc_operator",
        "admin",
    }
    assert [e["site_id"] for e in entries[:2]] == [DEMO_SITE.site_id] * 2
    assert {e["role"] for e in entries[:2]} == {"vaccinator", "site_manager"}
    assert oct(seed_context.credentials_path.stat().st_mode & 0o777) == "0o600"
    settings = settings_for(tmp_path, mongo_database=seed_context.identity_database)
    async with running(settings) as service:
        for entry in entries:
            assert (await service.staff_login(entry["username"], entry["password"])).is_success


async def test_seeding_twice_creates_nobody_twice_and_keeps_the_credentials(
    seed_context: SeedContext, mongo_client: AsyncMongoClient[Document]
) -> None:
    await run_steps(seed_context)
    first = credentials(seed_context)

    await run_steps(seed_context)

    assert credentials(seed_context) == first
    staff = mongo_client[seed_context.identity_database]["staff"]
    assert await staff.count_documents({}) == len(first)


async def test_a_lost_credentials_file_is_rewritten_with_working_passwords(
    seed_context: SeedContext, tmp_path: Path
) -> None:
    await run_steps(seed_context)
    seed_context.credentials_path.unlink()

    await run_steps(seed_context)

    entry = credentials(seed_context)[0]
    settings = settings_for(tmp_path, mongo_database=seed_context.identity_database)
    async with running(settings) as service:
        assert (await service.staff_login(entry["username"], entry["password"])).is_success


def run_admin(
    monkeypatch: pytest.MonkeyPatch, settings: IdentitySettings, *argv: str, stdin: str = ""
) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return admin.main(list(argv), settings=settings)


async def test_the_admin_command_creates_staff_who_can_log_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path)
    password = "an-admin-chosen-passphrase\n"
    async with running(settings) as service:
        # The command runs its own event loop, as it does from a shell.
        status = await asyncio.to_thread(
            run_admin,
            monkeypatch,
            settings,
            "create-staff",
            "--username",
            "manager.q3",
            "--role",
            "site_manager",
            "--site-id",
            SITE_B,
            "--password-stdin",
            stdin=password,
        )
        login = await service.staff_login("manager.q3", password.strip())

    assert status == 0
    assert "manager.q3" in capsys.readouterr().out
    assert login.status_code == 200


async def test_the_admin_command_explains_a_refused_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path)
    async with running(settings):
        status = await asyncio.to_thread(
            run_admin,
            monkeypatch,
            settings,
            "create-staff",
            "--username",
            "vac.q3",
            "--role",
            "vaccinator",
        )

    assert status == 1
    assert "body.site_id" in capsys.readouterr().err


async def test_the_admin_command_rotates_keys_without_unpublishing_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path)
    async with running(settings) as service:
        before = (await service.identity.keys.signing_key()).kid
        status = await asyncio.to_thread(run_admin, monkeypatch, settings, "rotate-keys", "--now")
        after = (await service.identity.keys.signing_key()).kid
        jwks = (await service.client.get("/api/v1/auth/jwks.json")).json()

    assert status == 0
    assert after != before
    assert {before, after} <= {key["kid"] for key in jwks["keys"]}
