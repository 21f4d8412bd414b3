"""Where EstateDesk keeps its data, and the keys it generates there on first run.

Every `estatedesk` command resolves the data folder the same way: ``--data-dir``,
else ``ESTATEDESK_DATA_DIR``, else ``~/.estatedesk``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

ENV_VAR = "ESTATEDESK_DATA_DIR"
DEFAULT_DIR = Path.home() / ".estatedesk"


def data_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR).expanduser().resolve()


def _write_private(path: Path, content: str) -> None:
    # Create with 0600 from the start so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(content)


def read_or_create_secret(folder: Path, name: str, make) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            _write_private(path, make())
    return path.read_text(encoding="ascii").strip()


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_field_key() -> str:
    # 32 bytes for Fernet (encryption) and 32 bytes for the blind-index HMAC.
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(64)).decode("ascii")
