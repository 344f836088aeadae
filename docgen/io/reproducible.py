"""Same input, same bytes: the fixed timestamps every output uses, and OOXML zips rewritten with them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""Document dates that must not be the clock: DOCX core properties, PDF dates without a source date."""

# 1980-01-01 is the earliest date a zip entry can hold; any constant works.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (DOCX/XLSX) with constant entry dates; entry order is kept ([Content_Types] first)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, _fixed_props(info.filename, src.read(info.filename)))
    return out.getvalue()


def _fixed_props(name: str, payload: bytes) -> bytes:
    # openpyxl stamps docProps/core.xml with the wall clock; pin it.
    if name == "docProps/core.xml":
        import re

        payload = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2000-01-01T00:00:00Z\2", payload)
    return payload
