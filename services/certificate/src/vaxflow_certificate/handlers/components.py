"""What the handlers work with, assembled once by the composition root (main.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_certificate.domain.issuing import IssuePolicy
from vaxflow_certificate.domain.qr import QrCache
from vaxflow_certificate.domain.signers import Signer, newest
from vaxflow_certificate.settings import CertificateSettings
from vaxflow_certificate.store import (
    KeyRing,
    MongoDoseFiles,
    MongoHolders,
    MongoRevocations,
    MongoStaffReads,
    RedisDownloadCounter,
)
from vaxflow_events import CertificateIssued, CertificateReadByStaff, Envelope, Event, topic_for
from vaxflow_servicekit.mongo import Document, as_stored, utc_now
from vaxflow_servicekit.outbox import outbox_entry

PRODUCER = "certificate"
CERTIFICATE_TOPIC = topic_for(CertificateIssued)
STAFF_READ_TOPIC = topic_for(CertificateReadByStaff)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Components:
    """Settings, stores, the signing keys, the clock and the certificate topic."""

    settings: CertificateSettings
    doses: MongoDoseFiles
    revocations: MongoRevocations
    holders: MongoHolders
    staff_reads: MongoStaffReads
    keys: KeyRing
    qr: QrCache
    # Counts downloads per caller (the API process has Redis; workers do not need it).
    downloads: RedisDownloadCounter | None = None
    certificate_topic: str = CERTIFICATE_TOPIC.name
    staff_read_topic: str = STAFF_READ_TOPIC.name
    clock: Callable[[], datetime] = utc_now
    # Wakes the outbox relay when it runs in this process (role `all`); otherwise it polls.
    events_written: Callable[[], None] = field(default=_nothing)

    @classmethod
    def on(
        cls,
        db: AsyncDatabase[Document],
        settings: CertificateSettings,
        keys: KeyRing,
        **overrides: Any,
    ) -> Components:
        """The components over one database."""
        return cls(
            settings=settings,
            doses=MongoDoseFiles(db),
            revocations=MongoRevocations(db),
            holders=MongoHolders(db),
            staff_reads=MongoStaffReads(db),
            keys=keys,
            qr=QrCache(settings.qr_cache_size),
            **overrides,
        )

    @property
    def policy(self) -> IssuePolicy:
        """What every certificate of this issuer says."""
        s = self.settings
        return IssuePolicy(s.issuer_country, s.issuer_name, s.validity_months)

    def now(self) -> datetime:
        """The current time, aware UTC, cut to milliseconds as the database keeps it."""
        return as_stored(self.clock())

    def signer(self) -> Signer:
        """The newest valid document signer."""
        return newest(list(self.keys.signers), self.now())

    def outbox(self, event: Event, cause: Envelope[Any]) -> Document:
        """The outbox entry publishing an event on the certificate topic, caused by `cause`."""
        envelope = cause.follow_up(
            event, producer=PRODUCER, occurred_at=self.now(), topic=CERTIFICATE_TOPIC
        )
        return outbox_entry(self.certificate_topic, envelope)
