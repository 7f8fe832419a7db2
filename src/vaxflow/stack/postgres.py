"""PostgreSQL from Debian's packages: the storage FerretDB writes to by default.

The server runs from a data folder under `.stack/postgres/`, on loopback TCP only, with a
trusting local login (nothing but this machine can reach it). PostgreSQL refuses to run as
root, so when the stack runs as root the server runs as the `postgres` account the Debian
package creates, through `setpriv` (which replaces itself with the server, so the pid the
supervisor knows is the server's).

`deploy/stack/postgres/setup.sql` is applied to FerretDB's database before FerretDB starts: it
makes the expression indexes FerretDB creates usable by the queries FerretDB sends (see there).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess  # nosec B404  # fixed argument lists, no shell
from pathlib import Path

from vaxflow.stack.config import StackSettings
from vaxflow.stack.errors import StackError
from vaxflow.stack.parts import LogWindow, Program, Tool

DATABASE = "ferretdb"  # FerretDB's database (named literally in the SQL below)
SERVICE_ACCOUNT = "postgres"
HINT = "run `make setup` (apt-get install -y postgresql)"

# Server settings passed on the command line, so the data folder holds no edited files.
SERVER_SETTINGS = {
    "unix_socket_directories": "",  # loopback TCP only
    "max_connections": "300",
    "shared_buffers": "256MB",
    # FerretDB sends every filter with the field name as a bind parameter; only a plan made
    # for the actual values can match the expression indexes (see setup.sql).
    "plan_cache_mode": "force_custom_plan",
    # Every commit is flushed: an acknowledged write survives any crash.
    "synchronous_commit": "on",
    # A statement FerretDB left half-read (its client gone) holds its locks until it ends; a
    # limit frees them instead of blocking every later drop of that database.
    "statement_timeout": "120s",
    "log_min_messages": "warning",
    # Unique-key refusals are how idempotent inserts work: not worth a log line each.
    "log_min_error_statement": "fatal",
    "log_checkpoints": "off",
}


def server_bin_dir() -> Path | None:
    """Return the newest installed PostgreSQL server's bin folder, or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def _server_problem() -> str | None:
    return None if server_bin_dir() else "no PostgreSQL server in /usr/lib/postgresql/*/bin"


POSTGRES = Tool("setpriv", HINT, _server_problem)


class PostgreSQL:
    """The PostgreSQL server behind FerretDB."""

    name = "postgres"

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.home = settings.stack_dir / "postgres"
        self.data = self.home / "data"
        self.setup_sql = settings.deploy_dir / "stack" / "postgres" / "setup.sql"

    @property
    def url(self) -> str:
        """FerretDB's database, as a libpq URL."""
        return self.settings.postgres_url(DATABASE)

    def ports(self) -> tuple[int, ...]:
        return (self.settings.postgres_port,)

    def tools(self) -> tuple[Tool, ...]:
        return (POSTGRES,)

    def prepare(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if (self.data / "PG_VERSION").exists():
            return
        account = self._account()
        if account is not None:
            self._check_reachable(account)
            os.chown(self.home, account.pw_uid, account.pw_gid)
        self._run(
            [
                str(self._bin("initdb")),
                f"--pgdata={self.data}",
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],
            what="initdb",
        )

    def program(self) -> Program:
        settings = {
            **SERVER_SETTINGS,
            "listen_addresses": self.settings.host,
            "port": str(self.settings.postgres_port),
        }
        arguments = [text for key, value in settings.items() for text in ("-c", f"{key}={value}")]
        command = (str(self._bin("postgres")), "-D", str(self.data), *arguments)
        return Program(
            name=self.name,
            command=(*self._as_account(), *command),
            directory=self.home,
            priority=105,
            stopsignal="INT",  # fast shutdown: TERM would wait for every client to leave
            stopwaitsecs=30,
        )

    def check_ready(self, log: LogWindow) -> str | None:
        done = self._psql("postgres", "-c", "SELECT 1")
        if done.returncode != 0:
            return f"psql to {self.settings.host}:{self.settings.postgres_port} failed: " + (
                done.stderr.strip() or done.stdout.strip()
            )
        return None

    def ensure_database(self) -> None:
        """Create FerretDB's database if missing and apply setup.sql (both safe to repeat)."""
        exists = self._psql(
            "postgres", "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'"
        )
        if exists.returncode == 0 and exists.stdout.strip() != "1":
            created = self._psql("postgres", "-c", "CREATE DATABASE ferretdb")
            if created.returncode != 0:
                raise StackError(self.name, "creating FerretDB's database failed", created.stderr)
        applied = self._psql(DATABASE, "-v", "ON_ERROR_STOP=1", "-f", str(self.setup_sql))
        if applied.returncode != 0:
            raise StackError(self.name, f"applying {self.setup_sql} failed", applied.stderr)

    def query(self, sql: str) -> list[str]:
        """Run one query in FerretDB's database; return its rows, `|` between the columns."""
        done = self._psql(DATABASE, "-tA", "-c", sql)
        if done.returncode != 0:
            raise StackError(self.name, "query failed", done.stderr)
        return done.stdout.splitlines()

    def describe(self) -> str:
        where = f"{self.settings.host}:{self.settings.postgres_port}"
        return f"PostgreSQL {where} (data in {self.data})"

    def _bin(self, name: str) -> Path:
        folder = server_bin_dir()
        if folder is None:
            raise StackError(self.name, f"no PostgreSQL server found: {HINT}")
        return folder / name

    def _psql(self, database: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        command = [
            str(self._bin("psql")),
            "--no-psqlrc",
            "--quiet",
            f"--host={self.settings.host}",
            f"--port={self.settings.postgres_port}",
            "--username=postgres",
            f"--dbname={database}",
            *arguments,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)  # nosec B603  # fixed arguments, no shell

    def _account(self) -> pwd.struct_passwd | None:
        """The account the server runs as when we are root, else None (it runs as us)."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SERVICE_ACCOUNT)
        except KeyError:
            raise StackError(
                self.name, f"running as root needs the `{SERVICE_ACCOUNT}` account: {HINT}"
            ) from None

    def _as_account(self) -> tuple[str, ...]:
        account = self._account()
        if account is None:
            return ()
        setpriv = shutil.which("setpriv") or "setpriv"
        return (setpriv, f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups")

    def _run(self, command: list[str], *, what: str) -> None:
        command = [*self._as_account(), *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # nosec B603  # fixed arguments, no shell
        if done.returncode != 0:
            output = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
            raise StackError(self.name, f"{what} failed (exit {done.returncode})", output)

    def _check_reachable(self, account: pwd.struct_passwd) -> None:
        """The server's account must be able to reach its data folder through every parent."""
        for folder in self.home.resolve().parents:
            mode = folder.stat().st_mode
            if folder.stat().st_uid != account.pw_uid and not mode & 0o001:
                raise StackError(
                    self.name,
                    f"the `{SERVICE_ACCOUNT}` account cannot enter {folder}, which holds the "
                    f"stack's data folder: run from a checkout it can reach, or set "
                    f"VAXFLOW_STACK_STATE_DIR to a folder outside {folder}",
                )
