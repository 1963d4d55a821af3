"""The domain rules (DESIGN.md section 2) that need no database: names, versions,
regions, limits, who may do what."""
