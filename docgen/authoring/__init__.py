"""Helping clerks write submissions: JSON Schema, starter files, workbook import, example seal."""
