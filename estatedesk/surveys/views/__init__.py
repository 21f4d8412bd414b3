"""The survey pages, one module per page family."""
