"""Processes and ports on this machine, read from /proc (Linux)."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import time
from pathlib import Path

_PROC = Path("/proc")
_LISTEN = "0A"


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may itself hold spaces or parentheses.
    return raw[raw.rindex(")") + 2 :].split()


def is_alive(pid: int) -> bool:
    """Return whether the process exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def process_group(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields else None


def started_at(pid: int) -> float | None:
    """Return when the process started, in seconds since the epoch."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    boot = next(
        float(line.split()[1])
        for line in (_PROC / "stat").read_text().splitlines()
        if line.startswith("btime ")
    )
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def command_name(pid: int) -> str:
    try:
        return (_PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return "?"


def command_line(pid: int) -> str:
    try:
        return (_PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def pid_from_file(path: Path) -> int | None:
    """Return the live process a pid file names, unless the pid was reused since it was written."""
    try:
        pid = int(path.read_text().split()[0])
        written = path.stat().st_mtime
    except (OSError, ValueError, IndexError):
        return None
    start = started_at(pid)
    if start is None or not is_alive(pid) or start > written + 2:
        return None
    return pid


def group_members(pgid: int) -> list[int]:
    """Return the live processes of a process group."""
    members = []
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            if process_group(pid) == pgid and is_alive(pid):
                members.append(pid)
    return members


def stop_group(pgid: int, timeout: float) -> bool:
    """Send TERM to a process group, KILL after the timeout; return whether it had to be killed."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + wait
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not group_members(pgid):
            return sig is signal.SIGKILL
    return True


def port_is_free(host: str, port: int) -> bool:
    """Return whether a server could listen on host:port now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (_PROC / "net" / table).read_text().splitlines()[1:]:
                cols = line.split()
                if cols[3] == _LISTEN and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(cols[9])
    return inodes


def port_owner(port: int) -> int | None:
    """Return the pid of a process listening on the TCP port, when this user may see it."""
    inodes = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not inodes:
        return None
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return int(entry.name)
    return None


def describe_port_owner(port: int) -> str:
    pid = port_owner(port)
    if pid is None:
        return "another process"
    command = " ".join(command_line(pid).split())[:80] or command_name(pid)
    return f"another process (pid {pid}: {command})"
