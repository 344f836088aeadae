"""Formula cells with their values: openpyxl writes a formula with an empty <v>; readers that do not
calculate (a viewer, a script, openpyxl's data_only) would see nothing, so the values docgen worked out
are put in (Excel, WPS and LibreOffice still recalculate on opening: fullCalcOnLoad)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence


def with_cached_values(xlsx: bytes, values: Sequence[dict[str, str]]) -> bytes:
    """The package with each sheet's formula cells given their values ([{"G5": "20"}] per sheet, in order)."""
    if not any(values):
        return xlsx
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and int(m.group(1)) <= len(values) and values[int(m.group(1)) - 1]:
                data = _fill(data, values[int(m.group(1)) - 1])
            dst.writestr(info, data)
    return out.getvalue()


def _fill(sheet: bytes, values: dict[str, str]) -> bytes:
    def one(m: re.Match[bytes]) -> bytes:
        value = values.get(m.group(2).decode())
        return m.group(1) + (b"<v>" + value.encode() + b"</v>" if value is not None else b"<v></v>")

    return re.sub(rb'(<c r="([A-Z]+[0-9]+)"[^>]*><f>[^<]*</f>)<v\s*/?>(?:</v>)?', one, sheet)
