"""The Textual dashboard. Talks to sigtui.catalog (services, browse) only; never SQL."""
