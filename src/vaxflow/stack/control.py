"""Bring the local stack up and down, and stop or start one part (what the CLI and tests call).

`up` checks the tools and ports, prepares every part (jars, binary, configuration), makes sure
the one supervisord runs, then starts PostgreSQL (and prepares FerretDB's database in it), the
rest of the infrastructure, creates the topics, starts the services and the gateway, each only
once the ones before answer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from vaxflow.stack import processes
from vaxflow.stack.aio import run_sync
from vaxflow.stack.config import StackSettings
from vaxflow.stack.errors import StackError, StackErrors
from vaxflow.stack.ferretdb import FerretDB
from vaxflow.stack.gateway import Gateway
from vaxflow.stack.kafka import Kafka
from vaxflow.stack.parts import LogWindow, Part
from vaxflow.stack.postgres import PostgreSQL
from vaxflow.stack.readiness import wait_ready
from vaxflow.stack.redis import Redis
from vaxflow.stack.routes import load_routes
from vaxflow.stack.services import Service
from vaxflow.stack.supervisor import Supervisor, render_config
from vaxflow.stack.templates import write_if_changed
from vaxflow.stack.tools import tool_problem
from vaxflow.stack.topics import ensure_topics, registry_names

INFRASTRUCTURE = ("postgres", "kafka", "ferretdb", "redis")
ACTIVE_STATES = ("STARTING", "RUNNING", "BACKOFF")


@dataclass(frozen=True)
class PartStatus:
    name: str
    state: str
    pid: int
    description: str


def all_parts(settings: StackSettings) -> list[Part]:
    """Return every part in start order: infrastructure, services, gateway."""
    table = settings.deploy_dir / "gateway" / "routes.toml"
    try:
        routes = load_routes(table)
    except (OSError, ValueError) as exc:  # pydantic's ValidationError and TOML errors included
        raise StackError("gateway", f"the route table {table} is invalid: {exc}") from exc
    services: list[Part] = [Service(settings, r) for r in routes.service if r.command]
    on_postgres = settings.ferretdb_backend == "postgresql"
    storage: list[Part] = [PostgreSQL(settings)] if on_postgres else []
    return [
        *storage,
        Kafka(settings),
        FerretDB(settings),
        Redis(settings),
        *services,
        Gateway(settings, routes),
    ]


def up(only: Sequence[str] = (), settings: StackSettings | None = None) -> None:
    """Start the stack (or only the named parts) and return once every one of them answers."""
    settings = settings or StackSettings()
    parts = all_parts(settings)
    chosen = _select(parts, only)
    supervisor = Supervisor(settings)
    for folder in (settings.logs_dir, settings.run_dir, settings.bin_dir):
        folder.mkdir(parents=True, exist_ok=True)
    _check_tools(chosen)
    _recover(supervisor, settings)
    _check_ports(parts, chosen, supervisor, settings)
    _prepare(chosen)
    stopped = _ensure_supervisor(supervisor, settings, parts)
    # A part whose configuration changed was stopped to take it: start it again, in order.
    chosen = [p for p in parts if p in chosen or p.name in stopped]
    _start_all(chosen, supervisor, settings)
    write_if_changed(settings.stack_dir / "env", _env_file(settings))
    _print_summary(chosen, settings)


def start(name: str, settings: StackSettings | None = None) -> None:
    """Start one part and return once it answers."""
    up(only=(name,), settings=settings)


def stop(name: str, settings: StackSettings | None = None) -> None:
    """Stop one part (its whole process group) and return once it is gone."""
    settings = settings or StackSettings()
    _select(all_parts(settings), (name,))
    supervisor = Supervisor(settings)
    if not supervisor.answers():
        raise StackError(name, "the stack is not running")
    supervisor.stop(name)


def down(settings: StackSettings | None = None) -> list[str]:
    """Stop everything the stack started; return the names of processes that had to be killed."""
    settings = settings or StackSettings()
    supervisor = Supervisor(settings)
    if supervisor.answers():
        print("stopping every part, then the supervisor")
        if not supervisor.shutdown(timeout=150):
            _kill_daemon(supervisor)
    else:
        _kill_daemon(supervisor)
    killed = _stop_leftovers(settings)
    for stale in (supervisor.socket, supervisor.pidfile):
        stale.unlink(missing_ok=True)
    return killed


def status(settings: StackSettings | None = None) -> list[PartStatus] | None:
    """Return the state of every part, or None when the supervisor is not running."""
    settings = settings or StackSettings()
    supervisor = Supervisor(settings)
    if not supervisor.answers():
        return None
    described = {p.name: p.describe() for p in all_parts(settings)}
    return [
        PartStatus(i["name"], i["statename"], i["pid"], described.get(i["name"], i["description"]))
        for i in supervisor.all_info()
    ]


def leftovers(settings: StackSettings) -> dict[str, int]:
    """Return our processes (by their pid files) that are still alive."""
    found = {}
    for pidfile in sorted(settings.run_dir.glob("*.pid")):
        pid = processes.pid_from_file(pidfile)
        if pid is not None:
            found[pidfile.stem] = pid
    return found


def _select(parts: list[Part], only: Sequence[str]) -> list[Part]:
    names = [p.name for p in parts]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise StackError(", ".join(unknown), f"no such part; the parts are {', '.join(names)}")
    return [p for p in parts if not only or p.name in only]


def _check_tools(chosen: list[Part]) -> None:
    errors = []
    for tool in {t.command: t for part in chosen for t in part.tools()}.values():
        problem = tool_problem(tool)
        if problem:
            needed_by = ", ".join(p.name for p in chosen if tool in p.tools())
            errors.append(StackError(needed_by, problem))
    if errors:
        raise StackErrors(errors)


def _recover(supervisor: Supervisor, settings: StackSettings) -> None:
    """Clean up after a supervisord that died or hangs, so a fresh one can start."""
    if supervisor.answers():
        return
    if supervisor.daemon_pid() is not None:
        print("supervisord does not answer; stopping it")
        _kill_daemon(supervisor)
    for name in _stop_leftovers(settings):
        print(f"{name}: stopped a process left running by a supervisord that died")


def _kill_daemon(supervisor: Supervisor) -> None:
    pid = supervisor.daemon_pid()
    if pid is not None:
        processes.stop_group(pid, timeout=60)


def _stop_leftovers(settings: StackSettings) -> list[str]:
    stopped = []
    for name, pid in leftovers(settings).items():
        pgid = processes.process_group(pid)
        if pgid == pid:  # the wrapper made it a group leader: stop the whole group
            processes.stop_group(pid, timeout=30)
            stopped.append(name)
    return stopped


def _check_ports(
    parts: list[Part], chosen: list[Part], supervisor: Supervisor, settings: StackSettings
) -> None:
    ports = [(port, p.name) for p in parts for port in p.ports()]
    owners: dict[int, str] = {}
    errors = []
    for port, name in ports:
        if port in owners:
            errors.append(StackError(name, f"port {port} is also configured for {owners[port]}"))
        owners[port] = name
    active = _active(supervisor)
    for part in chosen:
        if part.name in active:
            continue
        for port in part.ports():
            if not processes.port_is_free(settings.host, port):
                errors.append(
                    StackError(
                        part.name,
                        f"port {port} is taken by {processes.describe_port_owner(port)}; "
                        "stop it or choose another port (VAXFLOW_STACK_*_PORT)",
                    )
                )
    if errors:
        raise StackErrors(errors)


def _active(supervisor: Supervisor) -> set[str]:
    if not supervisor.answers():
        return set()
    return {i["name"] for i in supervisor.all_info() if i["statename"] in ACTIVE_STATES}


def _prepare(chosen: list[Part]) -> None:
    # Fetching Kafka's jars and building FerretDB take the longest on a first run: do both at once.
    with ThreadPoolExecutor(max_workers=len(chosen) or 1) as pool:
        futures = [(part, pool.submit(part.prepare)) for part in chosen]
    errors = []
    for part, future in futures:
        error = future.exception()
        if isinstance(error, StackError):
            errors.append(error)
        elif error is not None:
            errors.append(StackError(part.name, f"preparing failed: {error!r}"))
    if errors:
        raise StackErrors(errors)


def _ensure_supervisor(
    supervisor: Supervisor, settings: StackSettings, parts: list[Part]
) -> list[str]:
    """Run supervisord with the current configuration; return the programs that had to stop."""
    write_if_changed(supervisor.conf, render_config(settings, [p.program() for p in parts]))
    if supervisor.answers():
        return supervisor.apply_config()
    supervisor.start_daemon()
    return []


def _start_all(chosen: list[Part], supervisor: Supervisor, settings: StackSettings) -> None:
    for postgres in (p for p in chosen if isinstance(p, PostgreSQL)):
        _start_together([postgres], supervisor, settings)
        postgres.ensure_database()  # before FerretDB creates anything in it
    infrastructure = [p for p in chosen if p.name in INFRASTRUCTURE and p.name != "postgres"]
    _start_together(infrastructure, supervisor, settings)
    if any(p.name == "kafka" for p in chosen):
        _create_topics(settings)
    services = [p for p in chosen if p.name not in INFRASTRUCTURE and p.name != "gateway"]
    _start_together(services, supervisor, settings)
    for gateway in (p for p in chosen if isinstance(p, Gateway)):
        _start_gateway(gateway, supervisor, settings)


def _start_together(group: list[Part], supervisor: Supervisor, settings: StackSettings) -> None:
    windows = {}
    for part in group:
        info = supervisor.info(part.name)
        running = info is not None and info["statename"] in ACTIVE_STATES
        windows[part.name] = LogWindow(settings.log_file(part.name), started_here=not running)
        if not running:
            supervisor.start(part.name)
    for part in group:
        timeout = settings.kafka_ready_timeout if part.name == "kafka" else settings.ready_timeout
        seconds = wait_ready(part, supervisor, windows[part.name], timeout)
        print(f"{part.name}: ready ({seconds:.1f} s)")


def _start_gateway(gateway: Gateway, supervisor: Supervisor, settings: StackSettings) -> None:
    info = supervisor.info(gateway.name)
    if info is not None and info["statename"] == "RUNNING" and gateway.conf_changed:
        supervisor.signal(gateway.name, "HUP")  # nginx reloads its configuration
        print("gateway: configuration changed, reloaded")
    _start_together([gateway], supervisor, settings)
    gateway.mark_loaded()


def _create_topics(settings: StackSettings) -> None:
    names = registry_names()
    try:
        report = run_sync(
            lambda: ensure_topics(settings.kafka_bootstrap, names, settings.topic_partitions),
            timeout=90,
        )
    except Exception as exc:
        raise StackError("kafka", f"creating the topics failed: {exc!r}") from exc
    print(
        f"kafka: {len(names)} topics ({len(report.created)} created, "
        f"{len(report.existing)} already there)"
    )
    odd = {n: c for n, c in report.partitions.items() if c != settings.topic_partitions}
    if odd:
        print(f"kafka: NOTE these existing topics keep their partition count: {odd}")


def _env_file(settings: StackSettings) -> str:
    lines = ["# Written by `vaxflow stack up`: where the local stack answers."]
    lines += [f"{key}={value}" for key, value in settings.client_env().items()]
    return "\n".join(lines) + "\n"


def _print_summary(chosen: list[Part], settings: StackSettings) -> None:
    print("\nThe local stack runs:")
    for part in chosen:
        print(f"  {part.describe()}")
    relative = os.path.relpath(settings.stack_dir, settings.root)
    print(f"Logs in {relative}/logs/<name>.log; client settings in {relative}/env")
    print("Stop it with `make down` (or `vaxflow stack down`).")
