"""Queries only: module functions taking the session first, keyword-only arguments after."""
