#!/usr/bin/env python3
"""Derives the two "saved selection" variants of Security_short_selected.evtx.

Event Viewer's "Save Selected Events" / "Save Filtered Log File As" writes the chosen records into a
new file; their record headers then carry the time they were written there (or none), while each
event keeps its System/TimeCreated. The upstream file shows small differences (up to 12 s); these
variants make the difference large and add the cases a real saved log has been seen with:

  Security_selected_rewritten.evtx   record 2 written 19 days after it was created, record 4 with
                                     a zero written time; every TimeCreated intact.
  Security_selected_no_systemtime.evtx  the same, and the template's attribute name SystemTime
                                     renamed SystemTimX, so that no event has a readable
                                     TimeCreated/@SystemTime: the reader must fall back to the
                                     written time and say so per event, and record 4 has no time.

The chunk's record checksum and header checksum are recomputed, so libevtx reads both files as
sound. Run from this folder: python3 derive.py
"""
import struct
import zlib

CHUNK = 4096           # the first (and only) chunk follows the 4 KiB file header
DAY_TICKS = 864_000_000_000  # FILETIME ticks (100 ns) per day


def records(chunk):
    free = struct.unpack_from('<I', chunk, 0x30)[0]
    off = 512
    while off < free:
        assert chunk[off:off + 4] == b'**\x00\x00', hex(off)
        size, number = struct.unpack_from('<IQ', chunk, off + 4)
        yield off, number
        off += size


def reseal(chunk):
    free = struct.unpack_from('<I', chunk, 0x30)[0]
    struct.pack_into('<I', chunk, 0x34, zlib.crc32(chunk[512:free]))
    struct.pack_into('<I', chunk, 0x7C, zlib.crc32(bytes(chunk[:120]) + bytes(chunk[128:512])))


def derive(source, target, rename_systemtime):
    data = bytearray(open(source, 'rb').read())
    chunk = memoryview(data)[CHUNK:CHUNK + 65536]
    for off, number in records(chunk):
        if number == 2:
            written = struct.unpack_from('<Q', chunk, off + 16)[0]
            struct.pack_into('<Q', chunk, off + 16, written + 19 * DAY_TICKS)
        elif number == 4:
            struct.pack_into('<Q', chunk, off + 16, 0)
    if rename_systemtime:
        name = 'SystemTime'.encode('utf-16-le')
        at = bytes(chunk).find(name)
        assert at > 0 and bytes(chunk).count(name) == 1
        chunk[at + len(name) - 2:at + len(name)] = 'X'.encode('utf-16-le')
    reseal(chunk)
    open(target, 'wb').write(data)


if __name__ == '__main__':
    derive('Security_short_selected.evtx', 'Security_selected_rewritten.evtx', False)
    derive('Security_short_selected.evtx', 'Security_selected_no_systemtime.evtx', True)
