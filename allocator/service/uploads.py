"""Unpacking uploads safely: a zip of a case folder, a case workbook, a plan.

Everything that could reach outside the upload or exhaust the machine is
refused before a byte is written: absolute paths, ``..``, backslashes and
drive letters, symlinks, encrypted members, too many members, too much
unpacked data or too high a compression ratio (a zip bomb). Sizes are counted
while unpacking too, because a zip's declared sizes can lie. The upload's id
is a hash of its content (file names and bytes), so the same case uploaded
twice, zipped by any tool, gets the same id.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from allocator.errors import InputError
from allocator.service.settings import ServiceSettings

IGNORED = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")
WORKBOOK_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
CHUNK = 1 << 16


class UploadRejected(InputError):
    """An upload refused before unpacking; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Unpacked:
    """An upload unpacked into a staging folder, not yet in place.

    The staging folder holds ``NAME/`` (the case folder) or ``NAME.xlsx``: the
    name is part of what the library reads (summary.json records a case's
    folder name), so a run over HTTP writes the bytes the CLI writes.
    """

    id: str
    format: str  # folder | workbook
    name: str
    staging: Path
    bytes: int


def check_name(name: str) -> str:
    """A case or plan name usable as one folder name (Chinese is fine)."""
    if (
        not 1 <= len(name) <= 100
        or name.startswith((".", " "))
        or any(c in name for c in '/\\:*?"<>|\0')
        or not name.isprintable()
    ):
        raise UploadRejected(
            f"name '{name}' must be 1-100 printable characters without / \\ : * ? \" < > | "
            "and not start with a dot or a space",
            422,
        )
    return name


def _safe_name(info: zipfile.ZipInfo) -> PurePosixPath:
    name = info.filename
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UploadRejected(f"unsafe path in the zip: '{name}' (absolute or not portable)")
    path = PurePosixPath(name)
    if any(part in ("..", "") for part in path.parts) or path.is_absolute():
        raise UploadRejected(f"unsafe path in the zip: '{name}' (leaves the upload)")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UploadRejected(f"the zip holds a symbolic link: '{name}'; links are not accepted")
    if info.flag_bits & 0x1:
        raise UploadRejected(f"the zip member '{name}' is encrypted")
    return path


def _members(archive: zipfile.ZipFile, limits: ServiceSettings) -> list[zipfile.ZipInfo]:
    infos = [i for i in archive.infolist() if not i.filename.startswith(IGNORED)]
    infos = [i for i in infos if PurePosixPath(i.filename).name not in IGNORED]
    if len(infos) > limits.max_members:
        raise UploadRejected(
            f"the zip has {len(infos)} members; at most {limits.max_members} are accepted", 413
        )
    total = 0
    for info in infos:
        _safe_name(info)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1 << 20 and ratio > limits.max_ratio:
            raise UploadRejected(
                f"'{info.filename}' would unpack to {ratio:.0f} times its packed size "
                f"(at most {limits.max_ratio}): refused as a zip bomb",
                413,
            )
    if total > limits.max_unpacked_bytes:
        raise UploadRejected(
            f"the zip would unpack to {total:,} bytes; at most "
            f"{limits.max_unpacked_bytes:,} are accepted",
            413,
        )
    return [i for i in infos if not i.is_dir()]


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UploadRejected(
            "the upload is not a zip archive or a workbook (.xlsx); "
            "send a zip of the case folder or the case workbook"
        ) from None


def _strip_common_folder(names: list[PurePosixPath]) -> int:
    """How many leading folders all members share (a zip of the folder itself: 1)."""
    if not names or any(len(n.parts) < 2 for n in names):
        return 0
    first = names[0].parts[0]
    return 1 if all(n.parts[0] == first for n in names) else 0


def _count_rows(path: Path, name: str, limit: int) -> None:
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
    if lines > limit + 1:
        raise UploadRejected(f"{name} has {lines - 1:,} rows; at most {limit:,} are accepted", 413)


def unpack(
    data: bytes, kind: str, limits: ServiceSettings, scratch: Path, name: str | None = None
) -> Unpacked:
    """Check and unpack ``data`` into a new folder under ``scratch``.

    A workbook is kept whole as ``NAME.xlsx``; a zip of a folder is unpacked
    into ``NAME/``, dropping one top folder that all members share. ``NAME`` is
    ``name``, else that top folder's name, else ``kind``.
    """
    archive = _open_zip(data)
    with archive:
        infos = _members(archive, limits)
        names = {i.filename for i in infos}
        scratch.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=scratch))
        try:
            if all(m in names for m in WORKBOOK_MEMBERS):
                chosen = check_name(name or kind)
                (staging / f"{chosen}.xlsx").write_bytes(data)
                digest = hashlib.sha256(f"workbook\0{chosen}\0".encode() + data).hexdigest()
                return Unpacked(digest, "workbook", chosen, staging, len(data))
            return _unpack_folder(archive, infos, limits, staging, name or kind, name is None)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _unpack_folder(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    limits: ServiceSettings,
    staging: Path,
    name: str,
    from_zip: bool,
) -> Unpacked:
    paths = [_safe_name(i) for i in infos]
    if not paths:
        raise UploadRejected("the zip is empty")
    strip = _strip_common_folder(paths)
    if strip and from_zip:
        with contextlib.suppress(UploadRejected):  # else keep the default name
            name = check_name(paths[0].parts[0])
    check_name(name)
    digest = hashlib.sha256(f"folder\0{name}\0".encode())
    written = 0
    seen: set[PurePosixPath] = set()
    for info, path in sorted(zip(infos, paths, strict=True), key=lambda p: str(p[1])):
        relative = PurePosixPath(*path.parts[strip:])
        if relative in seen:
            raise UploadRejected(f"the zip holds '{relative}' twice")
        seen.add(relative)
        target = staging.joinpath(name, *relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        member_hash = hashlib.sha256()
        size = 0
        try:
            with archive.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    written += len(chunk)
                    if size > info.file_size or written > limits.max_unpacked_bytes:
                        raise UploadRejected(
                            f"'{info.filename}' unpacks to more than it declares: refused", 413
                        )
                    member_hash.update(chunk)
                    sink.write(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise UploadRejected(f"cannot unpack '{info.filename}': {exc}") from None
        if relative.suffix.lower() == ".csv":
            _count_rows(target, str(relative), limits.max_rows)
        digest.update(f"{relative}\0{member_hash.hexdigest()}\n".encode())
    return Unpacked(digest.hexdigest(), "folder", name, staging, written)


def put_in_place(unpacked: Unpacked, final: Path) -> Path:
    """Move a staged upload to ``final`` (atomically); an upload already there is kept."""
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(unpacked.staging, final)
    except OSError:
        if not final.is_dir():
            raise
        shutil.rmtree(unpacked.staging, ignore_errors=True)  # same content, already stored
    return final


def input_path(folder: Path, fmt: str, name: str) -> Path:
    """What the library reads for an upload: its named folder, or its workbook."""
    return folder / (f"{name}.xlsx" if fmt == "workbook" else name)
