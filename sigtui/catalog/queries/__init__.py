"""The read side: what screens and commands ask (tree, search, limits, costs,
cleanup, advice), as plain data. Reads never write."""
