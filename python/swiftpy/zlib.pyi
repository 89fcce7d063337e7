"""Type stubs for swiftpy.zlib: CPython 3.11's zlib API (work runs with the GIL released)
plus parallel_compress."""
from typing import Any, final

from _typeshed import ReadableBuffer as Buffer

MAX_WBITS: int
DEFLATED: int
DEF_MEM_LEVEL: int
DEF_BUF_SIZE: int
Z_NO_COMPRESSION: int
Z_BEST_SPEED: int
Z_BEST_COMPRESSION: int
Z_DEFAULT_COMPRESSION: int
Z_FILTERED: int
Z_HUFFMAN_ONLY: int
Z_RLE: int
Z_FIXED: int
Z_DEFAULT_STRATEGY: int
Z_NO_FLUSH: int
Z_PARTIAL_FLUSH: int
Z_SYNC_FLUSH: int
Z_FULL_FLUSH: int
Z_FINISH: int
Z_BLOCK: int
Z_TREES: int
ZLIB_VERSION: str
ZLIB_RUNTIME_VERSION: str

class error(Exception): ...

@final
class Compress:
    def compress(self, data: Buffer, /) -> bytes: ...
    def flush(self, mode: int = 4, /) -> bytes: ...
    def copy(self) -> Compress: ...
    def __copy__(self) -> Compress: ...
    def __deepcopy__(self, memo: Any, /) -> Compress: ...

@final
class Decompress:
    @property
    def unused_data(self) -> bytes: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    @property
    def eof(self) -> bool: ...
    def decompress(self, data: Buffer, /, max_length: int = 0) -> bytes: ...
    def flush(self, length: int = 16384, /) -> bytes: ...
    def copy(self) -> Decompress: ...
    def __copy__(self) -> Decompress: ...
    def __deepcopy__(self, memo: Any, /) -> Decompress: ...

def adler32(data: Buffer, value: int = 1, /) -> int: ...
def crc32(data: Buffer, value: int = 0, /) -> int: ...
def compress(data: Buffer, /, level: int = -1, wbits: int = 15) -> bytes: ...
def decompress(data: Buffer, /, wbits: int = 15, bufsize: int = 16384) -> bytes: ...
def compressobj(
    level: int = -1, method: int = 8, wbits: int = 15, memLevel: int = 8, strategy: int = 0,
    zdict: Buffer | None = None,
) -> Compress: ...
def decompressobj(wbits: int = 15, zdict: Buffer = b"") -> Decompress: ...
def parallel_compress(
    data: Buffer, level: int = -1, wbits: int = 15, threads: int | None = None, block_size: int = 131072,
) -> bytes:
    """Compress on several threads (threads=None: all available cores) into ONE standard
    zlib (wbits 9..15), raw (-9..-15) or gzip (25..31) stream, as pigz does."""
