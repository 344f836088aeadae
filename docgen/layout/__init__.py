"""Page-layout numbers and helpers."""
