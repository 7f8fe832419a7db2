"""The certificate service's settings: signing keys, issuer, validity, consumer groups.

Built once at start (`CertificateSettings()` reads VAXFLOW_CERTIFICATE_* and the shared
VAXFLOW_*) and passed down. In development an empty key directory gets a fresh development
chain at start; in production the service refuses to start without a signer.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from vaxflow_servicekit.settings import ServiceSettings


class CertificateSettings(ServiceSettings):
    """Everything the certificate service can be told, from VAXFLOW_CERTIFICATE_*."""

    model_config = SettingsConfigDict(
        env_prefix="VAXFLOW_CERTIFICATE_", extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "certificate"
    port: int = Field(
        default=8105, ge=1, le=65535, validation_alias=AliasChoices("port", "VAXFLOW_PORT")
    )

    # Document signers: `<name>.pem` certificates, each with `<name>.key.pem` when this
    # service may sign with it; a certificate without its key is trusted for verification only
    # (a retired signer). The newest valid signer signs. `csca.pem` is the country signing CA.
    key_dir: Path = Path(".stack/keys")
    key_passphrase: SecretStr | None = None

    issuer_country: str = Field(default="VN", pattern=r"^[A-Z]{2}$")
    issuer_name: str = Field(default="Ministry of Health of Viet Nam", min_length=1, max_length=80)
    validity_months: int = Field(default=12, ge=1, le=60)

    # TrueType fonts with Vietnamese glyphs for the PDF (Debian package fonts-dejavu-core).
    font_regular: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    font_bold: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

    dose_group: str = "certificate.doses"
    holder_group: str = "certificate.holders"
    qr_cache_size: int = Field(default=2048, ge=0)

    # Downloads one caller (phone account or staff member) may make per window: PDFs and QR
    # codes (rendered per request), and, counted apart, reads of the account's list (a page
    # shows it once; clients waiting for a new certificate poll it).
    download_limit: int = Field(default=120, ge=1)
    list_limit: int = Field(default=1200, ge=1)
    download_window_s: int = Field(default=60, ge=1, le=86_400)

    @property
    def creates_development_keys(self) -> bool:
        """An empty key directory gets a development chain (never in production)."""
        return self.environment != "production"
