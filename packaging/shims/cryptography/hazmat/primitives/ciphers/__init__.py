"""Cipher(AES(key), CBC(iv)).encryptor()/.decryptor(), without padding, as in the
real package: update() returns whole blocks, finalize() raises ValueError when the
data was not a multiple of 16 bytes."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import Any

from cryptography import UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import algorithms, modes

__all__ = ["Cipher", "algorithms", "modes"]

_lib: Any = None


def _libcrypto() -> Any:
    """The libcrypto Python's own _hashlib uses (the bundle's copy), bound once."""
    global _lib
    if _lib is not None:
        return _lib
    import _hashlib  # noqa: F401  (loads libcrypto; dlopen below then finds that copy)

    names = []
    base = getattr(sys, "_MEIPASS", None)
    if base:
        names.append(os.path.join(base, "libcrypto.so.3"))
    names += ["libcrypto.so.3", ctypes.util.find_library("crypto")]
    lib = None
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        raise ImportError("OpenSSL's libcrypto was not found")
    p, i = ctypes.c_void_p, ctypes.c_int
    lib.EVP_CIPHER_CTX_new.restype = p
    lib.EVP_CIPHER_CTX_new.argtypes = []
    lib.EVP_CIPHER_CTX_free.restype = None
    lib.EVP_CIPHER_CTX_free.argtypes = [p]
    for bits in (128, 192, 256):
        getattr(lib, f"EVP_aes_{bits}_cbc").restype = p
        getattr(lib, f"EVP_aes_{bits}_cbc").argtypes = []
    lib.EVP_CipherInit_ex.restype = i
    lib.EVP_CipherInit_ex.argtypes = [p, p, p, ctypes.c_char_p, ctypes.c_char_p, i]
    lib.EVP_CIPHER_CTX_set_padding.restype = i
    lib.EVP_CIPHER_CTX_set_padding.argtypes = [p, i]
    lib.EVP_CipherUpdate.restype = i
    lib.EVP_CipherUpdate.argtypes = [p, ctypes.c_char_p, ctypes.POINTER(i), ctypes.c_char_p, i]
    lib.EVP_CipherFinal_ex.restype = i
    lib.EVP_CipherFinal_ex.argtypes = [p, ctypes.c_char_p, ctypes.POINTER(i)]
    _lib = lib
    return lib


class Cipher:
    def __init__(self, algorithm: object, mode: object, backend: object = None) -> None:
        if not isinstance(algorithm, algorithms.AES) or not isinstance(mode, modes.CBC):
            raise UnsupportedAlgorithm("this build of PortfolioOS only has AES in CBC mode")
        if len(mode.initialization_vector) != 16:
            raise ValueError(f"Invalid IV size ({len(mode.initialization_vector)}) for CBC.")
        self.algorithm = algorithm
        self.mode = mode

    def encryptor(self) -> _CipherContext:
        return _CipherContext(self.algorithm.key, self.mode.initialization_vector, 1)

    def decryptor(self) -> _CipherContext:
        return _CipherContext(self.algorithm.key, self.mode.initialization_vector, 0)


class _CipherContext:
    def __init__(self, key: bytes, iv: bytes, encrypt: int) -> None:
        lib = _libcrypto()
        self._lib = lib
        self._ctx = lib.EVP_CIPHER_CTX_new()
        if not self._ctx:
            raise MemoryError("EVP_CIPHER_CTX_new failed")
        evp = getattr(lib, f"EVP_aes_{len(key) * 8}_cbc")()
        if lib.EVP_CipherInit_ex(self._ctx, evp, None, key, iv, encrypt) != 1:
            self._free()
            raise ValueError("EVP_CipherInit_ex failed")
        lib.EVP_CIPHER_CTX_set_padding(self._ctx, 0)

    def update(self, data: bytes) -> bytes:
        if self._ctx is None:
            raise RuntimeError("Context was already finalized.")
        data = bytes(data)
        out = ctypes.create_string_buffer(len(data) + 16)
        n = ctypes.c_int(0)
        if self._lib.EVP_CipherUpdate(self._ctx, out, ctypes.byref(n), data, len(data)) != 1:
            raise ValueError("EVP_CipherUpdate failed")
        return out.raw[: n.value]

    def finalize(self) -> bytes:
        if self._ctx is None:
            raise RuntimeError("Context was already finalized.")
        out = ctypes.create_string_buffer(32)
        n = ctypes.c_int(0)
        ok = self._lib.EVP_CipherFinal_ex(self._ctx, out, ctypes.byref(n))
        self._free()
        if ok != 1:
            raise ValueError(
                "The length of the provided data is not a multiple of the block length."
            )
        return out.raw[: n.value]

    def _free(self) -> None:
        if self._ctx is not None:
            self._lib.EVP_CIPHER_CTX_free(self._ctx)
            self._ctx = None

    def __del__(self) -> None:
        self._free()
