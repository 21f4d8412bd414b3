"""The survey pages (SPEC S-1, S-2, S-3, S-7, S-8), one module per page family; ``common``
holds what they share and imports none of them."""
