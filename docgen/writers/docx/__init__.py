"""DOCX writers and the one low-level layer holding raw WordprocessingML (oxml)."""
