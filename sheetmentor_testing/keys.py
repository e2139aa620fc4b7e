"""Service-account key files for tests: a real RSA key, in the JSON layout Google issues.

google-auth signs its token request (a JWT) with the key's private half; the emulator checks the
signature with the public half it was given. Nothing is mocked: a wrong or deleted key is refused
the way Google refuses it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class ServiceAccountKey:
    info: dict[str, str]
    """The key file's content, as Google's console downloads it."""
    public_key_pem: str

    @property
    def email(self) -> str:
        return self.info["client_email"]

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.info, indent=2), encoding="utf-8")
        return path


def make_service_account_key(
    token_uri: str,
    email: str = "sheetmentor@club-project.iam.gserviceaccount.com",
    *,
    private_key: rsa.RSAPrivateKey | None = None,
) -> ServiceAccountKey:
    """A service-account key whose token requests go to ``token_uri`` (the emulator's).

    Pass ``private_key`` to reuse one RSA key across accounts: generating one takes a while.
    """
    key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    project = email.split("@", 1)[1].split(".", 1)[0] if "@" in email else "club-project"
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "emulated0000000000000000000000000000key",
        "private_key": private_pem,
        "client_email": email,
        "client_id": "100000000000000000000",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    return ServiceAccountKey(info, public_pem)
