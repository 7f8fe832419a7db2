"""FerretDB 1.24.2, the MongoDB wire protocol on PostgreSQL or SQLite, built from deploy/.

The build vendors FerretDB's module and applies the patches in
`deploy/stack/ferretdb/patches/` (each says what it fixes) before `go build -mod=vendor`.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

from vaxflow.stack.config import StackSettings
from vaxflow.stack.parts import LogWindow, Program, Tool
from vaxflow.stack.postgres import DATABASE
from vaxflow.stack.tools import GO, executable, run


class FerretDB:
    """The MongoDB-wire database of the local stack."""

    name = "ferretdb"

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.module = settings.deploy_dir / "stack" / "ferretdb"
        self.binary = settings.bin_dir / "ferretdb"
        self.stamp = settings.bin_dir / "ferretdb.stamp"
        self.build_dir = settings.stack_dir / "build" / "ferretdb"
        self.data = settings.stack_dir / "ferretdb" / "data"

    def ports(self) -> tuple[int, ...]:
        return (self.settings.ferretdb_port,)

    def tools(self) -> tuple[Tool, ...]:
        return () if self._binary_current() else (GO,)

    def prepare(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        if not self._binary_current():
            self._build()

    def program(self) -> Program:
        if self.settings.ferretdb_backend == "postgresql":
            storage = (
                "-handler=postgresql",
                f"-postgresql-url={self.settings.postgres_url(DATABASE)}",
            )
        else:
            storage = ("-handler=sqlite", f"-sqlite-dir={self.data}")
        return Program(
            name=self.name,
            command=(
                str(self.binary),
                f"-listen-addr={self.settings.host}:{self.settings.ferretdb_port}",
                *storage,
                f"-log-level={self.settings.ferretdb_log_level}",
            ),
            directory=self.data.parent,
            priority=110,
            # FerretDB's private Unix socket (behind the write gate) goes to os.TempDir(),
            # named after the database URL. Stacks side by side on one machine (in network
            # namespaces, the same ports) would share /tmp and that name: each FerretDB start
            # took over the others' socket, so one stack's gate reached another's database.
            # A temporary directory of this stack's own keeps the socket private.
            environment={"TMPDIR": str(self.socket_dir)},
        )

    @property
    def socket_dir(self) -> Path:
        """Where FerretDB puts its private socket: inside this stack's state directory."""
        return self.settings.run_dir

    def check_ready(self, log: LogWindow) -> str | None:
        from pymongo import MongoClient  # client libraries load only when used: a fast CLI
        from pymongo.errors import PyMongoError

        client: MongoClient[dict[str, object]] = MongoClient(
            self.settings.mongo_url, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000
        )
        try:
            client.admin.command("ping")
        except PyMongoError as exc:
            return f"ping to {self.settings.mongo_url} failed: {exc}"
        finally:
            client.close()
        return None

    def describe(self) -> str:
        if self.settings.ferretdb_backend == "postgresql":
            return f"FerretDB {self.settings.mongo_url} (on PostgreSQL, database {DATABASE})"
        return f"FerretDB {self.settings.mongo_url} (SQLite files in {self.data})"

    def _module_hash(self) -> str:
        """Hash go.mod, go.sum and every Go source of the wrapper: a change means a rebuild."""
        digest = hashlib.sha256()
        sources = [
            "go.mod",
            "go.sum",
            *sorted(p.name for p in self.module.glob("*.go")),
            *sorted(f"patches/{p.name}" for p in self._patches()),
        ]
        for name in sources:
            digest.update(name.encode() + b"\0" + (self.module / name).read_bytes())
        return digest.hexdigest()

    def _patches(self) -> list[Path]:
        return sorted((self.module / "patches").glob("*.patch"))

    def _binary_current(self) -> bool:
        return (
            self.binary.exists()
            and self.stamp.exists()
            and self.stamp.read_text() == self._module_hash()
        )

    def _build(self) -> None:
        print("ferretdb: building from the Go module proxy (first run: a few minutes)")
        began = time.monotonic()
        self.binary.parent.mkdir(parents=True, exist_ok=True)
        fresh = self.binary.with_suffix(".partial")
        env = {
            "CGO_ENABLED": "0",
            "GOTOOLCHAIN": "local",  # never download another Go toolchain
            "GOFLAGS": "-buildvcs=false -trimpath",
        }
        shutil.rmtree(self.build_dir, ignore_errors=True)
        shutil.copytree(self.module, self.build_dir, ignore=shutil.ignore_patterns("patches"))
        go = executable("go")
        run(
            self.name,
            [go, "mod", "vendor"],
            what="vendoring FerretDB",
            timeout=1200,
            cwd=self.build_dir,
            env=env,
        )
        vendored = self.build_dir / "vendor" / "github.com" / "FerretDB" / "FerretDB"
        for patch in self._patches():
            run(
                self.name,
                [executable("patch"), "-p1", "--forward", "-i", str(patch)],
                what=f"applying {patch.name}",
                timeout=60,
                cwd=vendored,
            )
        run(
            self.name,
            [go, "build", "-mod=vendor", "-o", str(fresh), "."],
            what="building FerretDB with `go build`",
            timeout=2400,
            cwd=self.build_dir,
            env=env,
        )
        fresh.replace(self.binary)
        self.stamp.write_text(self._module_hash())
        print(f"ferretdb: built ({time.monotonic() - began:.0f} s)")
