"""The data docgen works on: published form, submission, notice, diagnostics."""
