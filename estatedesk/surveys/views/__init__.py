"""The staff pages of a survey's life (SPEC S-7, S-8), one module per page family; ``common``
holds what they share and imports none of them."""
