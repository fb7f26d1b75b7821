"""Ed25519 signing keys for case packages (the ``cryptography`` package).

A key pair is two PEM files: ``NAME.key`` (the private key, PKCS #8, readable by its owner only: mode 0600)
and ``NAME.pub`` (the public key, given to the agencies that will receive packages). A key is named by its
fingerprint, the SHA-256 of the raw public key; nothing here prints or logs key material.

>>> pair = new_keys("keys/vn-cites")                      # doctest: +SKIP
>>> pair.fingerprint[:16]                                  # doctest: +SKIP
'5f0c2a9e1b7d4c33'
"""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..resources import NetgraphError


class KeyFileError(NetgraphError):
    """A key file that cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class KeyPair:
    """Where :func:`new_keys` wrote a key pair, and the public key's fingerprint."""
    private: Path
    public: Path
    fingerprint: str


def fingerprint(public: Ed25519PublicKey) -> str:
    """The SHA-256 (hex) of the raw 32-byte public key: how manifests and logs name a key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def new_keys(stem: str | Path) -> KeyPair:
    """Write a new Ed25519 key pair to ``STEM.key`` (mode 0600) and ``STEM.pub``; refuse to overwrite either.

    >>> new_keys(tmp / "agency").private.stat().st_mode & 0o777 == 0o600   # doctest: +SKIP
    True
    """
    stem = Path(stem)
    private_path, public_path = stem.with_name(stem.name + ".key"), stem.with_name(stem.name + ".pub")
    for path in (private_path, public_path):
        if path.exists():
            raise KeyFileError(f"{path} exists already; choose another name (a key is never overwritten)")
    stem.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    os.chmod(private_path, 0o600)  # whatever the umask
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return KeyPair(private_path, public_path, fingerprint(key.public_key()))


def load_private(path: str | Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in ``path``; refused if others may read the file (it must be mode 0600)."""
    path = Path(path)
    if not path.is_file():
        raise KeyFileError(f"no private key file at {path} (make one with `netgraph keys new`)")
    if b"PUBLIC KEY-----" in path.read_bytes()[:100]:
        raise KeyFileError(f"{path} is a public key; sign with the private key (the .key file beside it)")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(f"{path} can be read by other users (mode {mode:o}); run `chmod 600 {path}` first")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path} is not an unencrypted PEM private key written by `netgraph keys new`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 key; make one with `netgraph keys new`")
    return key


def load_public(path: str | Path) -> Ed25519PublicKey:
    """The Ed25519 public key in ``path`` (a ``.pub`` file from `netgraph keys new`)."""
    path = Path(path)
    if not path.is_file():
        raise KeyFileError(f"no public key file at {path}")
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError):
        raise KeyFileError(f"{path} is not a PEM public key written by `netgraph keys new`") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 public key")
    return key


def verifies(public: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``public``'s signature of ``data``."""
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def pseudonym_key(private: Ed25519PrivateKey, recipient: str) -> bytes:
    """A secret for keyed pseudonyms, derived from the sender's private key and the recipient: the same person
    has the same pseudonym in every package to one recipient, and another recipient's differs; without the
    private key, nobody can test a name against a pseudonym."""
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    return hmac.new(raw, b"netgraph pseudonyms\0" + recipient.encode("utf-8"), hashlib.sha256).digest()
