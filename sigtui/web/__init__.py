"""`sigtui serve`: the app in a web page (textual-serve). Imported by that command only:
neither the app nor the other commands pay for aiohttp."""
