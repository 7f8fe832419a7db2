"""The tools the stack needs on this machine (Java, Maven, Go, redis-server, nginx)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # nosec B404  # fixed argument lists, no shell
from collections.abc import Mapping
from pathlib import Path

from vaxflow.stack.errors import StackError
from vaxflow.stack.parts import Tool


def _output(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # nosec B603  # the stack's own tools, no shell
    return done.stdout + done.stderr


def java_problem(minimum: int = 17) -> str | None:
    """Return why the installed Java cannot run Kafka, or None."""
    found = re.search(r'version "(\d+)(?:\.(\d+))?', _output(["java", "-version"]))
    if not found:
        return "cannot read the version from `java -version`"
    major = int(found.group(1))
    if major == 1:  # "1.8.0_292" means Java 8
        major = int(found.group(2) or 0)
    if major < minimum:
        return f"Java {major} found, Kafka 4 needs Java {minimum} or newer"
    return None


def go_problem(minimum: tuple[int, int] = (1, 24)) -> str | None:
    """Return why the installed Go cannot build FerretDB 1.24, or None."""
    found = re.search(r"go(\d+)\.(\d+)", _output(["go", "env", "GOVERSION"]))
    if not found:
        return "cannot read the version from `go env GOVERSION`"
    version = (int(found.group(1)), int(found.group(2)))
    if version < minimum:
        return f"Go {version[0]}.{version[1]} found, FerretDB 1.24 needs Go 1.24 or newer"
    return None


JAVA = Tool(
    "java", "install OpenJDK 17 or newer (apt-get install -y openjdk-17-jre-headless)", java_problem
)
MAVEN = Tool("mvn", "install Maven 3 (apt-get install -y maven)")
GO = Tool("go", "install Go 1.24 or newer (https://go.dev/dl/)", go_problem)
REDIS = Tool("redis-server", "run `make setup` (apt-get install -y redis-server)")
NGINX = Tool("nginx", "run `make setup` (apt-get install -y nginx)")


def _search_path() -> str:
    # nginx lives in /usr/sbin, which is not on every user's PATH.
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])


def tool_problem(tool: Tool) -> str | None:
    """Return what is wrong with a tool (missing, too old), or None."""
    if shutil.which(tool.command, path=_search_path()) is None:
        return f"`{tool.command}` is not installed or not on PATH: {tool.hint}"
    problem = tool.check() if tool.check else None
    return f"{problem}: {tool.hint}" if problem else None


def executable(command: str) -> str:
    """Return the full path of a tool (checked beforehand by tool_problem)."""
    return shutil.which(command, path=_search_path()) or command


def run(
    part: str,
    command: list[str],
    *,
    what: str,
    timeout: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run a step (fetch, build, format); raise StackError with its output on failure."""
    try:
        done = subprocess.run(  # nosec B603  # the stack's own tools, no shell
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
        )
    except subprocess.TimeoutExpired:
        raise StackError(part, f"{what} took longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        output = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise StackError(part, f"{what} failed (exit {done.returncode})", output)
