"""sigtui: a terminal dashboard over a SQL catalog of Azure Compute Gallery resources."""

__version__ = "0.1.0"
