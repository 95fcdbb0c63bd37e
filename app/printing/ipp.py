"""The Internet Printing Protocol's binary messages (RFC 8010), the part a print client needs.

A request is a header, groups of attributes and then the document bytes; a response is the
same shape with a status code in place of the operation. Each attribute is a value tag, a
name and one or more values; a value whose name is empty belongs to the attribute before it.

    request = Request(PRINT_JOB)
    request.operation(CHARSET, "attributes-charset", "utf-8")
    body = request.encode() + pdf_bytes
    response = decode_response(http_answer)
    response.status, response.first(OPERATION_GROUP).get("status-message")

Values the client never reads (dates, resolutions, collections) are kept as raw bytes, so an
answer that carries them still decodes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# Operations: RFC 8011 and CUPS' own (0x4000 and above).
PRINT_JOB = 0x0002
GET_JOB_ATTRIBUTES = 0x0009
GET_PRINTER_ATTRIBUTES = 0x000B
CUPS_GET_DEFAULT = 0x4001
CUPS_GET_PRINTERS = 0x4002

# Delimiter tags that open a group of attributes.
OPERATION_GROUP = 0x01
JOB_GROUP = 0x02
END_OF_ATTRIBUTES = 0x03
PRINTER_GROUP = 0x04
UNSUPPORTED_GROUP = 0x05

# Value tags.
INTEGER = 0x21
BOOLEAN = 0x22
ENUM = 0x23
RANGE = 0x33
BEGIN_COLLECTION = 0x34
TEXT = 0x41
NAME = 0x42
KEYWORD = 0x44
URI = 0x45
CHARSET = 0x47
LANGUAGE = 0x48
MIME_TYPE = 0x49
# text and name with a language: the language, then the text, each with its length.
_WITH_LANGUAGE = {0x35, 0x36}
# Out-of-band values (no-value, unknown...) carry no bytes; they decode to None.
_OUT_OF_BAND = range(0x10, 0x20)
_STRINGS = {0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A}

Value = int | bool | str | tuple[int, int] | bytes | None


class IppDecodeError(ValueError):
    """The bytes are not an IPP message (a web page, a cut-off answer)."""


@dataclass
class Request:
    """An IPP request being built: add attributes group by group, then ``encode``."""

    operation_id: int
    request_id: int = 1
    version: tuple[int, int] = (2, 0)
    _groups: list[tuple[int, list[tuple[int, str, tuple[Value, ...]]]]] = field(default_factory=list)

    def add(self, group: int, tag: int, name: str, *values: Value) -> Request:
        if not values:
            raise ValueError(f"attribute {name} needs at least one value")
        if not self._groups or self._groups[-1][0] != group:
            self._groups.append((group, []))
        self._groups[-1][1].append((tag, name, values))
        return self

    def operation(self, tag: int, name: str, *values: Value) -> Request:
        return self.add(OPERATION_GROUP, tag, name, *values)

    def job(self, tag: int, name: str, *values: Value) -> Request:
        return self.add(JOB_GROUP, tag, name, *values)

    def encode(self) -> bytes:
        out = bytearray(struct.pack(">BBHI", *self.version, self.operation_id, self.request_id))
        for group, attributes in self._groups:
            out.append(group)
            for tag, name, values in attributes:
                for index, value in enumerate(values):
                    encoded_name = name.encode("utf-8") if index == 0 else b""
                    data = _encode_value(tag, value)
                    out += struct.pack(">BH", tag, len(encoded_name)) + encoded_name
                    out += struct.pack(">H", len(data)) + data
        out.append(END_OF_ATTRIBUTES)
        return bytes(out)


def _encode_value(tag: int, value: Value) -> bytes:
    if tag in (INTEGER, ENUM):
        assert isinstance(value, int)
        return struct.pack(">i", value)
    if tag == BOOLEAN:
        return b"\x01" if value else b"\x00"
    if tag == RANGE:
        assert isinstance(value, tuple)
        return struct.pack(">ii", *value)
    if tag in _STRINGS:
        assert isinstance(value, str)
        return value.encode("utf-8")
    if tag in _OUT_OF_BAND:
        return b""
    assert isinstance(value, bytes)
    return value


@dataclass(frozen=True)
class Response:
    """A decoded answer: the status code and each group's attributes, in order."""

    version: tuple[int, int]
    status: int
    request_id: int
    groups: tuple[tuple[int, dict[str, list[Value]]], ...]

    @property
    def ok(self) -> bool:
        # 0x0000-0x00FF are the successful codes, some with attributes ignored or substituted.
        return self.status < 0x0100

    def first(self, group: int) -> dict[str, list[Value]]:
        """The first group of this kind, or an empty one."""
        return next((attrs for tag, attrs in self.groups if tag == group), {})

    def every(self, group: int) -> list[dict[str, list[Value]]]:
        """Every group of this kind: one per printer in a printer list, for instance."""
        return [attrs for tag, attrs in self.groups if tag == group]

    @property
    def message(self) -> str:
        values = self.first(OPERATION_GROUP).get("status-message") or [""]
        return str(values[0] or "")


def decode_response(data: bytes) -> Response:
    if len(data) < 9:
        raise IppDecodeError(f"an IPP answer of {len(data)} bytes is too short")
    major, minor, status, request_id = struct.unpack_from(">BBHI", data, 0)
    pos = 8
    groups: list[tuple[int, dict[str, list[Value]]]] = []
    current: dict[str, list[Value]] | None = None
    last_name = ""
    while True:
        if pos >= len(data):
            raise IppDecodeError("the IPP answer ends before its end-of-attributes tag")
        tag = data[pos]
        pos += 1
        if tag == END_OF_ATTRIBUTES:
            break
        if tag < 0x10:  # a delimiter: a new group starts
            current = {}
            groups.append((tag, current))
            continue
        if current is None:
            raise IppDecodeError("an attribute comes before any group")
        name, pos = _read_field(data, pos)
        raw, pos = _read_field(data, pos)
        if name:
            last_name = name.decode("utf-8", "replace")
            current[last_name] = []
        elif not last_name:
            raise IppDecodeError("an additional value comes before any attribute")
        current.setdefault(last_name, []).append(_decode_value(tag, raw))
    return Response((major, minor), status, request_id, tuple(groups))


def _read_field(data: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 2 > len(data):
        raise IppDecodeError("the IPP answer is cut off inside an attribute")
    (length,) = struct.unpack_from(">H", data, pos)
    pos += 2
    if pos + length > len(data):
        raise IppDecodeError("the IPP answer is cut off inside an attribute")
    return data[pos:pos + length], pos + length


def _decode_value(tag: int, raw: bytes) -> Value:
    if tag in (INTEGER, ENUM) and len(raw) == 4:
        return int(struct.unpack(">i", raw)[0])
    if tag == BOOLEAN and len(raw) == 1:
        return raw != b"\x00"
    if tag == RANGE and len(raw) == 8:
        low, high = struct.unpack(">ii", raw)
        return (low, high)
    if tag in _STRINGS:
        return raw.decode("utf-8", "replace")
    if tag in _WITH_LANGUAGE:
        try:
            _language, pos = _read_field(raw, 0)
            text, _ = _read_field(raw, pos)
        except IppDecodeError:
            return raw
        return text.decode("utf-8", "replace")
    if tag in _OUT_OF_BAND:
        return None
    return raw
