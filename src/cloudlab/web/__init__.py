"""The web chapters' helpers: run the Flask lab, reason about cookies and fingerprints."""
