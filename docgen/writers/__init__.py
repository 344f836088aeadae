"""One writer per output format; all read the same document view."""
