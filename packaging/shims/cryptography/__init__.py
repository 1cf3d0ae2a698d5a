"""The slice of `cryptography` that secretstorage uses, for the Linux bundle.

keyring's Secret Service backend (secretstorage) needs exactly one thing from the
`cryptography` package: AES-CBC, to encrypt secrets on their way over D-Bus to the
keyring daemon (the key comes from a Diffie-Hellman exchange secretstorage does itself,
with padding it adds and strips itself). The real package is a 12 MB Rust extension
with its own copy of OpenSSL; the bundle already carries OpenSSL's libcrypto for
Python's ssl and hashlib. So portfolioos.spec ships this package in its place on
Linux: the same import paths, AES in CBC mode only, computed by libcrypto's EVP
interface through ctypes. No cryptographic code lives here, only the calls.
Anything else raises UnsupportedAlgorithm. tests/packaging/test_cryptography_shim.py
checks it against the real package and against gnome-keyring; the bundle's self-test
runs the NIST known-answer vector before it asks the keychain anything.
"""

__version__ = "0+portfolioos.aes-cbc-only"


class UnsupportedAlgorithm(Exception):
    pass
