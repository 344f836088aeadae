"""A submission as received: its exact bytes, a file name and its kind (yaml, json, xlsx)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from fastapi import Request
from starlette.datastructures import UploadFile

from docgen.service.problems import Problem

SUFFIX_KIND = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}
MEDIA_KIND = {
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/x-yaml": "yaml",
    "application/json": "json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
KIND_MEDIA = {
    "yaml": "application/yaml",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KIND_SUFFIX = {"yaml": ".yaml", "json": ".json", "xlsx": ".xlsx"}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


@dataclass(frozen=True)
class Upload:
    """The body of a validate, render or save request."""

    content: bytes
    filename: str
    kind: str  # yaml | json | xlsx

    @property
    def media_type(self) -> str:
        return KIND_MEDIA[self.kind]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def safe_name(name: str, kind: str, default_stem: str) -> str:
    """A plain file name: no directories, no control characters, the kind's suffix."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = _UNSAFE.sub("_", base).strip(" .")[:120]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem or default_stem) + KIND_SUFFIX[kind]


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_upload(request: Request, default_stem: str = "submission") -> Upload:
    """The submission in the body; 415 for any other content type, 400 for a form without `file`."""
    media = _media(request)
    if media == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except Problem:
            raise
        except Exception:  # noqa: BLE001 - malformed multipart: python-multipart's errors are not the client's to read
            raise Problem(400, "multipart/form-data 请求体格式有误，无法读取；请用 file 字段上传一个文件。") from None
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise Problem(400, "multipart/form-data 请求中缺少文件字段 file（.yaml、.yml、.json 或 .xlsx）。")
            name = file.filename or ""
            suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
            kind = SUFFIX_KIND.get(suffix)
            if kind is None:
                raise Problem(
                    415,
                    f"不支持的文件类型“{suffix or name or '（无扩展名）'}”：请上传 .yaml、.yml、.json 或 .xlsx 文件。",
                )
            content = await file.read()
        finally:
            await form.close()
        return Upload(content, safe_name(name, kind, default_stem), kind)
    kind = MEDIA_KIND.get(media)
    if kind is None:
        shown = media or "（未指定）"
        raise Problem(
            415,
            f"不支持的内容类型 {shown}：请以 application/yaml、application/json 或 "
            "multipart/form-data（file 字段）提交填报文件。",
        )
    content = await request.body()
    return Upload(content, safe_name(_disposition_name(request), kind, default_stem), kind)


def _disposition_name(request: Request) -> str:
    value = request.headers.get("content-disposition", "")
    m = re.search(r'filename="?([^";]+)"?', value)
    return m.group(1) if m else ""
