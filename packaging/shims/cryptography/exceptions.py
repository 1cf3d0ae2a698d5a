from cryptography import UnsupportedAlgorithm

__all__ = ["UnsupportedAlgorithm"]
