"""AES-256-GCM from the system's OpenSSL (libcrypto), through ctypes.

The standard library has no cipher and the ``cryptography`` package is not a dependency;
the libcrypto that Python's own ``ssl`` module is built on is always there. This wraps its
EVP interface for one use: sealing a kept print job (``devices.printers.kept_jobs``). With
``cryptography`` installed, ``AESGCM(key).encrypt(nonce, data, aad)`` is the same thing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_GCM_GET_TAG = 0x10
_GCM_SET_TAG = 0x11


class SealBroken(ValueError):
    """The ciphertext, its associated data or the key does not match: refuse the data."""


@functools.cache
def _libcrypto() -> ctypes.CDLL:
    name = ctypes.util.find_library("crypto")
    if name is None:
        raise OSError("libcrypto (OpenSSL) is not installed")
    lib = ctypes.CDLL(name)
    pointer, size = ctypes.c_void_p, ctypes.c_int
    lib.EVP_CIPHER_CTX_new.restype = pointer
    lib.EVP_CIPHER_CTX_new.argtypes = []
    lib.EVP_CIPHER_CTX_free.restype = None
    lib.EVP_CIPHER_CTX_free.argtypes = [pointer]
    lib.EVP_aes_256_gcm.restype = pointer
    lib.EVP_aes_256_gcm.argtypes = []
    lib.EVP_CIPHER_CTX_ctrl.restype = size
    lib.EVP_CIPHER_CTX_ctrl.argtypes = [pointer, size, size, pointer]
    for step in ("Encrypt", "Decrypt"):
        init = getattr(lib, f"EVP_{step}Init_ex")
        init.restype = size
        init.argtypes = [pointer, pointer, pointer, ctypes.c_char_p, ctypes.c_char_p]
        update = getattr(lib, f"EVP_{step}Update")
        update.restype = size
        update.argtypes = [pointer, pointer, ctypes.POINTER(size), ctypes.c_char_p, size]
        final = getattr(lib, f"EVP_{step}Final_ex")
        final.restype = size
        final.argtypes = [pointer, pointer, ctypes.POINTER(size)]
    return lib


def _check(ok: int, what: str) -> None:
    if ok != 1:
        raise OSError(f"OpenSSL {what} failed")


def _run(encrypting: bool, key: bytes, nonce: bytes, data: bytes, aad: bytes, tag: bytes) -> bytes:
    if len(key) != KEY_BYTES or len(nonce) != NONCE_BYTES:
        raise ValueError(f"AES-256-GCM takes a {KEY_BYTES}-byte key and {NONCE_BYTES}-byte nonce")
    lib = _libcrypto()
    step = "Encrypt" if encrypting else "Decrypt"
    context = lib.EVP_CIPHER_CTX_new()
    if not context:
        raise MemoryError("OpenSSL could not allocate a cipher context")
    try:
        _check(
            getattr(lib, f"EVP_{step}Init_ex")(context, lib.EVP_aes_256_gcm(), None, key, nonce),
            "init",
        )
        written = ctypes.c_int(0)
        update = getattr(lib, f"EVP_{step}Update")
        _check(update(context, None, ctypes.byref(written), aad, len(aad)), "aad")
        out = ctypes.create_string_buffer(len(data) + TAG_BYTES)
        _check(update(context, out, ctypes.byref(written), data, len(data)), "update")
        length = written.value
        tag_buffer = ctypes.create_string_buffer(tag, TAG_BYTES)
        if not encrypting:
            _check(lib.EVP_CIPHER_CTX_ctrl(context, _GCM_SET_TAG, TAG_BYTES, tag_buffer), "tag")
        rest = ctypes.create_string_buffer(TAG_BYTES)  # GCM writes nothing here
        if getattr(lib, f"EVP_{step}Final_ex")(context, rest, ctypes.byref(written)) != 1:
            raise SealBroken("the data was altered or the key is wrong")
        if encrypting:
            _check(lib.EVP_CIPHER_CTX_ctrl(context, _GCM_GET_TAG, TAG_BYTES, tag_buffer), "tag")
            return out.raw[:length] + tag_buffer.raw
        return out.raw[:length]
    finally:
        lib.EVP_CIPHER_CTX_free(context)


def encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """The ciphertext followed by the 16-byte tag. Never use a nonce twice with one key."""
    return _run(True, key, nonce, plaintext, aad, b"")


def decrypt(key: bytes, nonce: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    """The plaintext of ``encrypt``'s output; SealBroken when anything does not match."""
    if len(sealed) < TAG_BYTES:
        raise SealBroken("sealed data is shorter than its tag")
    return _run(False, key, nonce, sealed[:-TAG_BYTES], aad, sealed[-TAG_BYTES:])
