"""XML read safely: no external entities or DTDs, prolog scanning, text helpers."""
