"""PDF writers and the HTML → archive-grade PDF engine with GB/T 9704 page numbers."""
