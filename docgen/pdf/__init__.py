"""PDF output: HTML → archive-grade PDF (docgen.pdf.engine) and GB/T 9704 page numbers
(docgen.pdf.pagenum). Writers import from the submodules; nothing heavy is imported here."""
