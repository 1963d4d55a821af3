"""The database: opening a catalog, sessions, the schema at head, time, SQL dialects."""
