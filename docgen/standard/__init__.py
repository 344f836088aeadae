"""GB/T 9704-2012 in code: the standard's numbers, the fonts it names, text formatting."""
