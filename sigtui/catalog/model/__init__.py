"""What the catalog holds: the tables, the vocabulary of their fields, the input
schemas, ARM ids and the one error type."""
