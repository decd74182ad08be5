"""Who may talk to the server: local trust for the user's own browser, bearer tokens otherwise."""
