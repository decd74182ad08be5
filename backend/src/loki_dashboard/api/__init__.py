"""HTTP routes: thin handlers that declare dependencies and call one service function."""
