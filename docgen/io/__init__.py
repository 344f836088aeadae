"""Reading and writing files: sources with line numbers, atomic writes, reproducible zips, paths."""
