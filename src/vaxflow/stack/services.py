"""VaxFlow services from the route table, run by the supervisor like the infrastructure."""

from __future__ import annotations

import sys
from pathlib import Path

from vaxflow.stack.config import StackSettings
from vaxflow.stack.parts import LogWindow, Program, Tool
from vaxflow.stack.routes import ServiceRoute


class Service:
    """One VaxFlow service process, ready when its ready path answers 200."""

    def __init__(self, settings: StackSettings, route: ServiceRoute) -> None:
        self.settings = settings
        self.route = route
        self.name = route.name

    def ports(self) -> tuple[int, ...]:
        return (self.route.port,)

    def tools(self) -> tuple[Tool, ...]:
        return ()

    def prepare(self) -> None:
        return None

    def program(self) -> Program:
        venv_bin = Path(sys.executable).parent
        return Program(
            name=self.name,
            command=self.route.command,
            directory=self.settings.root,
            priority=500,
            startsecs=1,
            environment={
                **self.settings.client_env(),
                # The route table is the one place a service's port is set.
                "VAXFLOW_SERVICE_NAME": self.name,
                "VAXFLOW_HOST": self.settings.host,
                "VAXFLOW_PORT": str(self.route.port),
                # Fixed, not the caller's PATH: the same configuration from any shell.
                "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
                "PYTHONUNBUFFERED": "1",
                # Off while the file is absent; `vaxflow faults` writes it to crash or slow
                # consumers and outbox relays at chosen points (vaxflow_servicekit.faultpoints).
                "VAXFLOW_FAULT_POINTS_FILE": str(self.settings.stack_dir / "faults" / "points"),
                **self.route.env,
            },
        )

    def check_ready(self, log: LogWindow) -> str | None:
        import httpx  # loaded only when used: a fast CLI

        url = f"http://{self.settings.host}:{self.route.port}{self.route.ready_path}"
        try:
            response = httpx.get(url, timeout=2)
        except httpx.HTTPError as exc:
            return f"GET {url} failed: {exc!r}"
        return None if response.status_code == 200 else f"GET {url} answered {response.status_code}"

    def describe(self) -> str:
        prefixes = ", ".join(self.route.prefixes) or "not routed"
        return f"{self.name} http://{self.settings.host}:{self.route.port} (gateway: {prefixes})"
