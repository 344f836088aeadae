"""Document views: what every writer of a document reads, computed once."""
