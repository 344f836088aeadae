"""docgen: structured filings in, GB/T 9704 official documents out."""

__version__ = "0.1.0"
