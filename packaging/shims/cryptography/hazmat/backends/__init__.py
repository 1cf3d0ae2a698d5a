"""default_backend(): kept for callers that still pass one; the only backend is
OpenSSL's libcrypto (see cryptography/__init__.py)."""


class _LibcryptoBackend:
    name = "openssl-libcrypto-ctypes"


_BACKEND = _LibcryptoBackend()


def default_backend() -> _LibcryptoBackend:
    return _BACKEND
