"""packaging/shims/cryptography: the bundle's AES-CBC stand-in for `cryptography`.

It is importable only under the real package's name, so each check runs in a child
process with the shim first on sys.path; the parent holds the real package as the
oracle."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

REPO = Path(__file__).resolve().parents[2]
SHIMS = REPO / "packaging" / "shims"

CHILD_CIPHER = """
import json, sys, cryptography
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
assert cryptography.__version__.endswith("aes-cbc-only"), cryptography.__file__
out = []
for key, iv, data in json.load(sys.stdin):
    c = Cipher(algorithms.AES(bytes.fromhex(key)), modes.CBC(bytes.fromhex(iv)), default_backend())
    enc = c.encryptor()
    sealed = enc.update(bytes.fromhex(data)[:5]) + enc.update(bytes.fromhex(data)[5:])
    sealed += enc.finalize()
    dec = c.decryptor()
    out.append([sealed.hex(), (dec.update(sealed) + dec.finalize()).hex()])
try:
    d = Cipher(algorithms.AES(b"k" * 16), modes.CBC(b"i" * 16)).decryptor()
    d.update(b"short")
    d.finalize()
    out.append("no error")
except ValueError as exc:
    out.append(str(exc))
print(json.dumps(out))
"""


def run_child(code: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, PYTHONPATH=f"{SHIMS}{os.pathsep}{REPO}", **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundles only")
def test_same_bytes_as_the_real_package_for_every_key_size() -> None:
    vectors = []
    for n in range(60):
        key = os.urandom((16, 24, 32)[n % 3])
        vectors.append([key.hex(), os.urandom(16).hex(), os.urandom(16 * (n % 7)).hex()])
    proc = run_child(CHILD_CIPHER, json.dumps(vectors))
    assert proc.returncode == 0, proc.stderr
    *results, short_error = json.loads(proc.stdout)
    for (key, iv, data), (sealed, opened) in zip(vectors, results, strict=True):
        real = Cipher(algorithms.AES(bytes.fromhex(key)), modes.CBC(bytes.fromhex(iv)))
        encryptor = real.encryptor()
        assert sealed == (encryptor.update(bytes.fromhex(data)) + encryptor.finalize()).hex()
        assert opened == data
    assert short_error == "The length of the provided data is not a multiple of the block length."


@pytest.mark.keyring
@pytest.mark.skipif(
    not os.environ.get("PORTFOLIOOS_TEST_KEYRING"), reason="needs the test's own Secret Service"
)
def test_secretstorage_round_trip_through_the_keyring_daemon() -> None:
    """What the bundle does: keyring -> secretstorage -> the shim's AES -> D-Bus. The
    real package (this process) must read what the shim stored, and the reverse."""
    import keyring

    code = (
        "import sys, keyring, cryptography\n"
        "assert cryptography.__version__.endswith('aes-cbc-only')\n"
        "keyring.set_password('PortfolioOS shim test', 'from-shim', 'shim-secret-ÿ-1')\n"
        "print(keyring.get_password('PortfolioOS shim test', 'from-real'))\n"
    )
    keyring.set_password("PortfolioOS shim test", "from-real", "real-secret-€-2")
    try:
        proc = run_child(code)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "real-secret-€-2"
        assert keyring.get_password("PortfolioOS shim test", "from-shim") == "shim-secret-ÿ-1"
    finally:
        for name in ("from-real", "from-shim"):
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password("PortfolioOS shim test", name)
