"""One writer per output format (docx, xlsx, pdf); all read the same document view."""
