"""Checking inputs: every problem gathered as Diagnostics before anything is written."""
