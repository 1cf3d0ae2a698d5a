"""Reading brokerage exports (CSV by broker profile, OFX/QFX) into ledger entries.

Pure adapters: bytes in, `ParsedFile` (entries, rejected rows, warnings) out. Nothing
here writes; ImportService validates, fingerprints and writes in one transaction.
"""
