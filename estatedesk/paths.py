"""Where EstateDesk keeps its data, and the keys it generates there on first run.

Every `estatedesk` command resolves the data folder the same way: ``--data-dir``,
else ``ESTATEDESK_DATA_DIR``, else ``~/.estatedesk``.

Everything in it is private to the user that runs EstateDesk: folders 0700, files 0600
(the keys, the SQLite database and queue, uploads). ``private_dir`` and ``private_sqlite``
also tighten what an older version left readable by others.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

ENV_VAR = "ESTATEDESK_DATA_DIR"
DEFAULT_DIR = Path.home() / ".estatedesk"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def data_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR).expanduser().resolve()


def _tighten(path: Path, mode: int) -> None:
    """Take group and other permissions away from what we own; leave anything else alone."""
    with contextlib.suppress(OSError):  # gone, or someone else's: not ours to change
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, mode)


def private_dir(path: Path) -> Path:
    """The folder, and any missing parent, made 0700; an existing one is tightened to 0700."""
    missing = []
    here = path
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            folder.mkdir(mode=PRIVATE_DIR)
    _tighten(path, PRIVATE_DIR)
    return path


def private_sqlite(path: Path) -> None:
    """An SQLite file created empty with 0600 (a valid empty database), before SQLite makes it 0644.

    SQLite gives the -wal, -shm and -journal files the database file's permissions.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        for each in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
            _tighten(each, PRIVATE_FILE)


def _write_private(path: Path, content: str) -> None:
    # Create with 0600 from the start so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(content)


def read_or_create_secret(folder: Path, name: str, make) -> str:
    private_dir(folder)
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
