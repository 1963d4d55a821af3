"""Azure in and out: JSON as az prints it, import of what Azure gives, export."""
