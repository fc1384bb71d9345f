"""Reading an mt.save file from untrusted bytes: a zip of .npy members, each checked before
anything is allocated for it.

A zip directory states each member's size and a .npy header each array's shape; a hostile file can
state anything.  So nothing here allocates from a number it has not checked against the bytes that
are really there:
- the zip directory is read only if it is at most 8 MiB (zipfile makes an object of every entry);
- member names are the ones mt.save writes (__minitorch__.npy, t0.npy, t1.npy, ...), each once,
  stored or deflated, not encrypted;
- declared sizes add up to at most the limit; a member's compressed bytes must lie inside the file,
  a stored member holds as many bytes as it declares, and a deflated one cannot claim more than
  deflate can produce from its compressed bytes (about 1032:1);
- each .npy header is parsed by numpy.lib.format (a Python literal, never code); arrays of Python
  objects are refused, and header + shape x itemsize must equal the member's declared size;
- data is read in 1 MiB chunks into an array of exactly that size: a stream longer than declared
  fails its CRC, a shorter one runs out, and both are refused without the array growing.
"""
import contextlib
import io
import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib import format as npy

GiB = 1 << 30
DEFAULT_MAX_BYTES = GiB
METADATA = '__minitorch__'
METADATA_MAX_BYTES = 4 << 20           # the JSON description: ~50 bytes per tensor
ARRAY_NAME = re.compile(r't(0|[1-9][0-9]{0,8})')
_DEFLATE_MAX_RATIO = 1032              # deflate's best: a 258-byte match for ~2 bits
_NPY_HEADER_MAX = 10_000               # numpy's own bound on a .npy header (max_header_size)
_DIRECTORY_MAX_BYTES = 8 << 20
_CHUNK = 1 << 20
# what zipfile, zlib and the file itself raise on bytes that are not a sound archive
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, struct.error, ValueError,
            OverflowError, NotImplementedError)


class Refused(Exception):
    """Why a file cannot be loaded; mt.load reports it as a ValueError naming the file."""


@dataclass(frozen=True)
class ArrayHeader:
    dtype: np.dtype
    shape: tuple
    fortran_order: bool
    offset: int                        # where the data starts inside the member
    nbytes: int


class Archive:
    """The members of one mt.save file, checked; `headers` maps '__minitorch__', 't0', 't1', ...
    to their parsed .npy headers, and `read(key)` reads one array."""

    def __init__(self, handle, max_bytes=None):
        start, end = _span(handle)
        _check_kind(handle)
        self._zip = _open_zip(_BoundedReads(handle, end))
        members = self._zip.infolist()
        _check_names([info.filename for info in members])
        for info in members:
            _check_sizes(info, end)
        _check_total(members, max_bytes, end - start)
        self._members = {info.filename[:-len('.npy')]: info for info in members}
        self.headers = {key: self._header(info) for key, info in self._members.items()}
        _check_metadata(self.headers[METADATA])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()

    def read(self, key):
        """The array in member key, read in bounded chunks into exactly its declared bytes."""
        header, info = self.headers[key], self._members[key]
        raw = np.empty(header.nbytes, np.uint8)
        view, done = memoryview(raw), 0
        with self._open(info) as member:
            member.read(header.offset)
            while done < header.nbytes:
                chunk = member.read(min(_CHUNK, header.nbytes - done))
                if not chunk:
                    raise Refused(f'member {info.filename!r} is truncated: its data ends after '
                                  f'{done} of {header.nbytes} bytes')
                view[done:done + len(chunk)] = chunk
                done += len(chunk)
            member.read(1)                 # reaches the end, where zipfile checks the CRC
        array = raw.view(header.dtype).reshape(header.shape,
                                               order='F' if header.fortran_order else 'C')
        if not header.dtype.isnative:
            array = array.byteswap(inplace=True).view(header.dtype.newbyteorder('='))
        return array

    def _header(self, info):
        with self._open(info) as member:
            head = io.BytesIO(member.read(_NPY_HEADER_MAX + 16))
        # numpy parses these (at most ~10 kB of hostile) bytes as a Python literal, never as code
        try:
            version = npy.read_magic(head)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f'format version {version} is not read here (1.0 or 2.0 is)')
            read_header = npy.read_array_header_1_0 if version == (1, 0) else \
                npy.read_array_header_2_0
            shape, fortran_order, dtype = read_header(head, max_header_size=_NPY_HEADER_MAX)
        except Exception as error:       # ValueError, but also TokenError, SyntaxError, ...
            raise Refused(f'member {info.filename!r} is not a valid .npy array ({error})') \
                from None
        if dtype.hasobject:
            raise Refused(f'member {info.filename!r} holds an array of Python objects (dtype '
                          f'{dtype}), which cannot be read without pickle (allow_pickle=False); '
                          f'mt.load reads only plain numeric data')
        if dtype.itemsize == 0 or dtype.subdtype is not None or min(shape, default=0) < 0:
            raise Refused(f'member {info.filename!r} declares dtype {dtype} and shape {shape}, '
                          f'which no saved array has')
        offset, nbytes = head.tell(), math.prod(shape) * dtype.itemsize
        if offset + nbytes != info.file_size:
            raise Refused(f'member {info.filename!r} declares shape {shape} of {dtype} '
                          f'({nbytes} bytes) but holds {info.file_size - offset} bytes of data')
        return ArrayHeader(dtype, shape, fortran_order, offset, nbytes)

    @contextlib.contextmanager
    def _open(self, info):
        """A member opened for reading, with zipfile's and zlib's complaints reported as Refused."""
        try:
            with self._zip.open(info) as member:
                yield member
        except _DAMAGED as error:
            raise Refused(f'member {info.filename!r} is truncated or damaged ({error})') from None


def _span(handle):
    """Where the archive starts in the file, and where the file ends."""
    start = handle.tell()
    handle.seek(0, io.SEEK_END)
    end = handle.tell()
    handle.seek(start)
    return start, end


class _BoundedReads:
    """The file as zipfile sees it: no read may ask for more than _DIRECTORY_MAX_BYTES.  The one
    read whose size zipfile takes from the file is the zip's central directory, which it turns into
    ~8x as many bytes of Python objects before any member can be checked; member data is read
    in 1 MiB chunks."""

    def __init__(self, handle, end):
        self._handle, self._end = handle, end

    def read(self, n=-1):
        if n is None or n < 0:
            n = self._end - self._handle.tell()
        if n > _DIRECTORY_MAX_BYTES:
            raise Refused(f'its zip directory declares {n} bytes, more than the '
                          f'{_DIRECTORY_MAX_BYTES} bytes allowed (mt.save writes about 55 bytes '
                          f'there per tensor)')
        return self._handle.read(n)

    def seek(self, offset, whence=io.SEEK_SET):
        return self._handle.seek(offset, whence)

    def tell(self):
        return self._handle.tell()

    def seekable(self):
        return True


def _check_kind(handle):
    """Name the common things that are not an mt.save file by their first bytes."""
    start = handle.tell()
    head = handle.read(8)
    handle.seek(start)
    if not head:
        raise Refused('the file is empty')
    if head.startswith(b'\x93NUMPY'):
        raise Refused('not a file written by mt.save: it is a plain .npy array; read it with '
                      'np.load(f, allow_pickle=False)')
    if head.startswith(b'\x80'):
        raise Refused('not a file written by mt.save: it is a pickle (as torch.save writes), which '
                      'can run code when loaded; mt.load never unpickles')
    if not head.startswith((b'PK\x03\x04', b'PK\x05\x06')):
        raise Refused(f'not a file written by mt.save: it is not a zip archive (it begins '
                      f'{head!r})')


def _open_zip(handle):
    try:
        return zipfile.ZipFile(handle)
    except _DAMAGED as error:
        raise Refused(f'the file is truncated or damaged: it begins like a zip archive but cannot '
                      f'be read as one ({error})') from None


def _check_names(names):
    seen = set()
    for name in names:
        if name in seen:
            raise Refused(f'it holds member {name!r} twice; mt.save writes each member once')
        seen.add(name)
    if any(name.endswith('.pkl') for name in names):
        raise Refused('not a file written by mt.save: it holds a pickle (as torch.save writes), '
                      'which can run code when loaded; mt.load never unpickles')
    if METADATA + '.npy' not in seen:
        raise Refused(f'not a file written by mt.save (no {METADATA} entry)')
    for name in names:
        key = name[:-len('.npy')] if name.endswith('.npy') else ''
        if key != METADATA and not ARRAY_NAME.fullmatch(key):
            raise Refused(f'it holds an unexpected member {name!r}; mt.save writes only '
                          f'{METADATA}.npy and t0.npy, t1.npy, ...')


def _check_sizes(info, end):
    name, declared, stored = info.filename, info.file_size, info.compress_size
    if info.flag_bits & 0x1:
        raise Refused(f'member {name!r} is encrypted; mt.save never encrypts')
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Refused(f'member {name!r} uses zip compression method {info.compress_type}; only '
                      f'stored and deflated members are read')
    if info.compress_type == zipfile.ZIP_STORED and declared != stored:
        raise Refused(f'member {name!r} is stored uncompressed, yet declares {declared} bytes in '
                      f'{stored}: its sizes are forged or damaged')
    if info.compress_type == zipfile.ZIP_DEFLATED and \
            declared > _DEFLATE_MAX_RATIO * stored + 1024:
        raise Refused(f'member {name!r} declares {declared} bytes from {stored} compressed bytes, '
                      f'more than deflate can produce ({_DEFLATE_MAX_RATIO}:1): its sizes are '
                      f'forged')
    if info.header_offset + 30 + len(name) + stored > end:
        raise Refused(f'member {name!r} is truncated: its {stored} bytes would end past the end '
                      f'of the file ({end} bytes)')


def _check_total(members, max_bytes, file_size):
    total = sum(info.file_size for info in members)
    limit = max_bytes if max_bytes is not None else max(DEFAULT_MAX_BYTES, file_size)
    if total > limit:
        which = 'max_bytes' if max_bytes is not None else \
            'the default: 1 GiB, or the file size if larger'
        raise Refused(f'its members declare {total} bytes ({total / GiB:.2f} GiB) of data, more '
                      f'than the limit of {limit} bytes ({limit / GiB:.2f} GiB; {which}); if you '
                      f'trust this file, raise the limit with mt.load(f, max_bytes=...)')


def _check_metadata(header):
    if header.dtype != np.uint8 or len(header.shape) != 1:
        raise Refused(f'its metadata member {METADATA}.npy holds {header.dtype} of shape '
                      f'{header.shape}, not the 1-D uint8 bytes of a JSON text')
    if header.nbytes > METADATA_MAX_BYTES:
        raise Refused(f'its metadata member {METADATA}.npy declares {header.nbytes} bytes, more '
                      f'than the {METADATA_MAX_BYTES} bytes allowed (save long lists of numbers '
                      f'as a tensor or numpy array instead)')
