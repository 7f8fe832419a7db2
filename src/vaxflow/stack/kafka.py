"""Apache Kafka 4.1.1 in KRaft mode, one node, from its Maven Central jars."""

from __future__ import annotations

import base64
import hashlib
import shutil
import time
import uuid

from vaxflow.stack.aio import run_sync
from vaxflow.stack.config import StackSettings
from vaxflow.stack.errors import StackError
from vaxflow.stack.parts import LogWindow, Program, Tool
from vaxflow.stack.templates import render, write_if_changed
from vaxflow.stack.tools import JAVA, MAVEN, executable, run

STARTED_LINE = "Kafka Server started"
JVM_OPTIONS = (
    "-Xms512m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)


class Kafka:
    """The broker and controller in one process, its jars and its formatted log directory."""

    name = "kafka"

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.sources = settings.deploy_dir / "stack" / "kafka"
        self.home = settings.stack_dir / "kafka"
        self.libs = self.home / "libs"
        self.data = self.home / "data"
        self.properties = self.home / "server.properties"

    def ports(self) -> tuple[int, ...]:
        return (self.settings.kafka_port, self.settings.kafka_controller_port)

    def tools(self) -> tuple[Tool, ...]:
        return (JAVA,) if self._jars_current() else (JAVA, MAVEN)

    def prepare(self) -> None:
        self._fetch_jars()
        write_if_changed(self.properties, self._render_properties())
        self._format_storage()

    def program(self) -> Program:
        return Program(
            name=self.name,
            command=self._java("kafka.Kafka", str(self.properties)),
            directory=self.home,
            priority=100,
            stopwaitsecs=30,
            startsecs=5,
        )

    def check_ready(self, log: LogWindow) -> str | None:
        if log.started_here and STARTED_LINE not in log.text():
            return f"the log does not show {STARTED_LINE!r} yet"
        try:
            run_sync(lambda: _probe(self.settings.kafka_bootstrap), timeout=15)
        except Exception as exc:  # any failure only means "not ready yet"
            return f"metadata or group coordinator from {self.settings.kafka_bootstrap}: {exc!r}"
        return None

    def describe(self) -> str:
        return f"Kafka {self.settings.kafka_bootstrap} (KRaft controller on :{self.ports()[1]})"

    def _java(self, main_class: str, *args: str) -> tuple[str, ...]:
        return (
            executable("java"),
            *JVM_OPTIONS,
            f"-Dlog4j2.configurationFile={self.sources / 'log4j2.xml'}",
            "-cp",
            f"{self.libs}/*",
            main_class,
            *args,
        )

    def _jars_stamp(self) -> str:
        return hashlib.sha256((self.sources / "pom.xml").read_bytes()).hexdigest()

    def _jars_current(self) -> bool:
        stamp = self.home / "libs.stamp"
        return stamp.exists() and stamp.read_text() == self._jars_stamp()

    def _fetch_jars(self) -> None:
        if self._jars_current():
            return
        print("kafka: fetching the broker jars from Maven Central (first run: about a minute)")
        began = time.monotonic()
        fresh = self.home / "libs.partial"
        shutil.rmtree(fresh, ignore_errors=True)
        run(
            self.name,
            [
                executable("mvn"),
                "-B",
                "-q",
                "-f",
                str(self.sources / "pom.xml"),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={fresh}",
            ],
            what="fetching the jars with Maven",
            timeout=1800,
        )
        if not any(fresh.glob("kafka_2.13-*.jar")):
            raise StackError(self.name, f"Maven finished but {fresh} holds no kafka_2.13 jar")
        shutil.rmtree(self.libs, ignore_errors=True)
        fresh.rename(self.libs)
        (self.home / "libs.stamp").write_text(self._jars_stamp())
        print(f"kafka: jars fetched ({time.monotonic() - began:.0f} s)")

    def _render_properties(self) -> str:
        template = (self.sources / "server.properties.in").read_text()
        return render(
            template,
            {
                "host": self.settings.host,
                "client_port": self.settings.kafka_port,
                "controller_port": self.settings.kafka_controller_port,
                "data_dir": self.data,
                "partitions": self.settings.topic_partitions,
            },
        )

    def _format_storage(self) -> None:
        if (self.data / "meta.properties").exists():
            return
        print("kafka: formatting the log directory (first run)")
        cluster_id = self._cluster_id()
        run(
            self.name,
            list(
                self._java(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    cluster_id,
                    "-c",
                    str(self.properties),
                    "--ignore-formatted",
                )
            ),
            what="formatting the log directory with kafka.tools.StorageTool",
            timeout=180,
        )

    def _cluster_id(self) -> str:
        path = self.home / "cluster-id"
        if not path.exists():
            path.write_text(_random_cluster_id())
        return path.read_text().strip()


def _random_cluster_id() -> str:
    """Return an id like `kafka-storage random-uuid` prints: 16 random bytes, base64url."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka's tools refuse ids that look like options
            return text


async def _probe(bootstrap: str) -> None:
    """Ask for metadata, then for a group coordinator.

    On a fresh cluster the first coordinator lookup creates __consumer_offsets; doing it here
    means consumer groups work as soon as the stack says Kafka is ready.
    """
    from aiokafka.admin import AIOKafkaAdminClient  # loaded only when used: a fast CLI

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        await admin.list_topics()
        await admin.find_coordinator("vaxflow-stack-readiness")
    finally:
        await admin.close()
