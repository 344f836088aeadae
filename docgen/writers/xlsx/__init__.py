"""XLSX writers."""
