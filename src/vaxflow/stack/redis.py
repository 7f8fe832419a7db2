"""Redis from Debian's redis-server, in the foreground, without persistence."""

from __future__ import annotations

from vaxflow.stack.config import StackSettings
from vaxflow.stack.parts import LogWindow, Program, Tool
from vaxflow.stack.tools import REDIS, executable


class Redis:
    """Hot counters and limits; nothing is saved to disk."""

    name = "redis"

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.home = settings.stack_dir / "redis"

    def ports(self) -> tuple[int, ...]:
        return (self.settings.redis_port,)

    def tools(self) -> tuple[Tool, ...]:
        return (REDIS,)

    def prepare(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    def program(self) -> Program:
        options = {
            "port": str(self.settings.redis_port),
            "bind": self.settings.host,
            "daemonize": "no",  # the supervisor runs it in the foreground
            "supervised": "no",
            "save": "",  # no snapshots and no append-only file: nothing survives a restart
            "appendonly": "no",
            "dir": str(self.home),
            "logfile": "",  # stdout, which the supervisor writes to .stack/logs/redis.log
        }
        arguments = [text for key, value in options.items() for text in (f"--{key}", value)]
        return Program(
            name=self.name,
            command=(executable("redis-server"), *arguments),
            directory=self.home,
            priority=120,
        )

    def check_ready(self, log: LogWindow) -> str | None:
        import redis as redis_client  # loaded only when used: a fast CLI

        client = redis_client.Redis(
            host=self.settings.host,
            port=self.settings.redis_port,
            socket_timeout=2,
            socket_connect_timeout=2,
        )
        try:
            client.ping()
        except redis_client.RedisError as exc:
            return f"PING to {self.settings.redis_url} failed: {exc}"
        finally:
            client.close()
        return None

    def describe(self) -> str:
        return f"Redis {self.settings.redis_url} (no persistence)"
