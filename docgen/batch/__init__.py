"""The province's batch: every unit in parallel, manifest, provincial summary, archive volume."""
