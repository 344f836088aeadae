"""OFD (GB/T 33190-2016) output: the PDF docgen wrote, page for page, as a text-bearing OFD (OFD-A for archives)."""
