"""API tokens: each scoped to one tenant, stored only as SHA-256 hashes.

A token file (``DATA/tokens.json``) holds ``{"tokens": [{"tenant": ..,
"sha256": ..}]}``; ``allocator token add TENANT`` makes a token, prints it
once and stores its hash. The environment variable ``ALLOCATOR_TOKENS``
(``tenant=token,tenant=token``) adds tokens for deployments that inject
secrets that way; they are hashed as they are read. Tokens are 256-bit random
strings, so one SHA-256 is enough (a slow password hash guards guessable
secrets, which these are not).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from allocator.errors import InputError, Location

TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ENV_VAR = "ALLOCATOR_TOKENS"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_tenant(tenant: str) -> str:
    if not TENANT_PATTERN.match(tenant):
        raise InputError(
            f"tenant '{tenant}' must be 1-64 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return tenant


@dataclass(frozen=True)
class TokenBook:
    """Token hashes and the tenant each belongs to."""

    tenants: dict[str, str]  # sha256 -> tenant

    def tenant_of(self, token: str) -> str | None:
        """The tenant a presented token belongs to, or None (constant time per entry)."""
        presented = token_hash(token)
        found = None
        for digest, tenant in self.tenants.items():
            if hmac.compare_digest(digest, presented):
                found = tenant
        return found


def _read_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        entries = data["tokens"]
        return {str(e["sha256"]): check_tenant(str(e["tenant"])) for e in entries}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"token file is not valid: {exc}", Location(path)) from None


def load_tokens(path: Path, environ: dict[str, str] | None = None) -> TokenBook:
    """The token file's hashes plus those of ``ALLOCATOR_TOKENS``."""
    tenants = _read_file(path)
    text = (environ if environ is not None else dict(os.environ)).get(ENV_VAR, "")
    for item in filter(None, (part.strip() for part in text.split(","))):
        tenant, sep, token = item.partition("=")
        if not sep or len(token) < 16:
            raise InputError(
                f"{ENV_VAR} entries must look like tenant=token with a token of 16+ characters"
            )
        tenants[token_hash(token)] = check_tenant(tenant.strip())
    return TokenBook(tenants)


def add_token(path: Path, tenant: str) -> str:
    """Make a new token for ``tenant``, store its hash in ``path`` and return it (once)."""
    check_tenant(tenant)
    tenants = _read_file(path)
    token = secrets.token_urlsafe(32)
    tenants[token_hash(token)] = tenant
    data = {"tokens": [{"tenant": t, "sha256": d} for d, t in sorted(tenants.items())]}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=".tokens-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")
    os.chmod(staging, 0o600)
    os.replace(staging, path)
    return token
