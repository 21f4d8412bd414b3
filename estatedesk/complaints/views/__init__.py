"""The complaint pages, one module per page family; ``common`` holds what they share and
imports none of them."""
